#!/usr/bin/env bash
# Ask the local application server for /healthz or /readyz (docs/deploy.md, "Health").
#   deploy/healthcheck.sh [healthz|readyz] [--wait SECONDS]
# Uses the first address of GUNICORN_BIND (127.0.0.1:8000 by default). Exits 0 when the
# probe answers 200; with --wait, keeps asking every second until then (systemd's
# ExecStartPost of thidua-web.service waits so for the server to answer).
set -uo pipefail
probe=${1:-healthz}
wait=0
if [ "${2:-}" = "--wait" ]; then wait=${3:-30}; fi
address=${GUNICORN_BIND:-127.0.0.1:8000}
address=${address%%,*}
url="http://$address/$probe"
deadline=$((SECONDS + wait))
while true; do
  if body=$(curl --silent --show-error --fail-with-body --max-time 5 "$url" 2>&1); then
    echo "$probe: $body"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "$probe failed at $url: $body" >&2
    exit 1
  fi
  sleep 1
done

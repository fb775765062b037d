#!/usr/bin/env bash
# manage.py of the installed release with the settings of the environment file, run as the
# service user:  /opt/thidua/current/deploy/manage.sh createsuperuser
# THIDUA_ENV names another environment file, THIDUA_USER another service user.
set -euo pipefail
app=$(cd "$(dirname "$0")/.." && pwd)
env_file=${THIDUA_ENV:-/etc/thidua/thidua.env}
service_user=${THIDUA_USER:-thidua}
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
cd "$app"
if [ "$(id -u)" = 0 ] && id "$service_user" >/dev/null 2>&1; then
  exec runuser -u "$service_user" -- "$app/.venv/bin/python" manage.py "$@"
fi
exec "$app/.venv/bin/python" manage.py "$@"

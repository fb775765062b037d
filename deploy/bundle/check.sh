#!/usr/bin/env bash
# make bundle-check (CI): install the offline bundle into an empty folder as a server
# without internet access would — PIP_NO_INDEX=1, no pip configuration, npm not on PATH —
# against a fresh SQLite database; install it a second time as an upgrade (the data must
# stay); then serve it with gunicorn and the queue worker on free ports and ask for
# /healthz, /readyz, the login page and a static file.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

version=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
bundle="$ROOT/dist/thidua-$version-offline.tar.gz"
[ -f "$bundle" ] || { echo "No bundle at $bundle: run make bundle" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"   # nginx's workers (nobody, when started by root) read the files
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# npm (and node) off the PATH: a folder of links to every other program on it. Every pip
# index and pip configuration off.
mkdir "$work/bin"
IFS=: read -r -a path_dirs <<< "$PATH"
for dir in "${path_dirs[@]}"; do
  [ -d "$dir" ] || continue
  for program in "$dir"/*; do
    name=${program##*/}
    case "$name" in npm|npx|node|nodejs|corepack) continue ;; esac
    [ -x "$program" ] && [ ! -e "$work/bin/$name" ] && ln -s "$program" "$work/bin/$name"
  done
done
export PATH="$work/bin" PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_INDEX_URL DATABASE_URL
if command -v npm >/dev/null; then echo "npm is still on PATH" >&2; exit 1; fi

mkdir "$work/unpacked"
tar -xzf "$bundle" -C "$work/unpacked"
unpacked=$(echo "$work"/unpacked/thidua-*)

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
prefix="$work/opt"
env_file="$work/thidua.env"

echo "== first run writes the environment file and stops"
set +e
"$unpacked/install.sh" --prefix "$prefix" --env "$env_file" --user nobody-here >/dev/null
status=$?
set -e
[ "$status" = 3 ] || { echo "install.sh without an environment file exited $status" >&2; exit 1; }
grep -q '^SECRET_KEY=.\{40,\}' "$env_file"
cat >> "$env_file" <<ENV
ALLOWED_HOSTS=localhost,127.0.0.1
DATABASE_URL=sqlite:///$work/data/db.sqlite3
MEDIA_ROOT=$work/data/media
BACKUP_DIR=$work/data/backups
BEHIND_TLS_PROXY=1
GUNICORN_BIND=127.0.0.1:$port
GUNICORN_WORKERS=2
READYZ_MIN_FREE_MB=1
ENV
mkdir -p "$work/data"

echo "== install into an empty folder"
"$unpacked/install.sh" --prefix "$prefix" --env "$env_file" --user nobody-here
first=$(readlink -f "$prefix/current")
"$prefix/current/.venv/bin/python" -c 'import gunicorn, django' # installed from wheelhouse/
THIDUA_ENV="$env_file" "$prefix/current/deploy/manage.sh" shell -c \
  "from clusters.models import User; User.objects.create_user('kept', password='not-used-9f2b')"

echo "== upgrade in place: the data stays"
sleep 1
"$unpacked/install.sh" --prefix "$prefix" --env "$env_file" --user nobody-here
second=$(readlink -f "$prefix/current")
[ "$first" != "$second" ] || { echo "the upgrade did not make a new release" >&2; exit 1; }
[ -d "$first" ] || { echo "the previous release was removed" >&2; exit 1; }
ls "$work/data/backups"/thidua-*.tar >/dev/null   # backed up before migrating
THIDUA_ENV="$env_file" "$prefix/current/deploy/manage.sh" shell -c \
  "from clusters.models import User; assert User.objects.filter(username='kept').exists()"

echo "== serve: gunicorn on 127.0.0.1:$port and the queue worker"
set -a; . "$env_file"; set +a
export STATIC_ROOT="$prefix/current/staticfiles"
(cd "$prefix/current" && exec .venv/bin/gunicorn -c deploy/gunicorn.conf.py) \
  > "$work/gunicorn.log" 2>&1 &
pids+=($!)
(cd "$prefix/current" && exec .venv/bin/python manage.py run_worker --no-reload) \
  > "$work/worker.log" 2>&1 &
pids+=($!)

if ! "$prefix/current/deploy/healthcheck.sh" healthz --wait 60; then
  cat "$work/gunicorn.log" >&2; exit 1
fi
if ! "$prefix/current/deploy/healthcheck.sh" readyz --wait 30; then
  cat "$work/gunicorn.log" "$work/worker.log" >&2; exit 1
fi
code() { curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' "$@"; }
login=$(code "http://localhost:$port/login/")
[ "$login" = 200 ] || { echo "login page answered $login" >&2; cat "$work/gunicorn.log" >&2; exit 1; }
css=$(grep -o '/static/css/app\.[0-9a-f]*\.css' <(curl -s -H 'X-Forwarded-Proto: https' "http://localhost:$port/login/") | head -1)
[ -n "$css" ] && [ "$(code "http://localhost:$port$css")" = 200 ] ||
  { echo "the login page's stylesheet ($css) is not served" >&2; exit 1; }

# nginx in front, with deploy/nginx/thidua.conf itself (ports, paths and the certificate
# moved into the temporary folder): TLS, static files, and a protected download answered by
# the application with X-Accel-Redirect (SENDFILE_MODE=nginx) and sent by nginx.
if ! command -v nginx >/dev/null; then
  echo "bundle-check: nginx is not installed; the nginx site was not tried" >&2
  echo "bundle-check: installed offline, upgraded keeping the data, /healthz, /readyz, /login/ and $css answered 200"
  exit 0
fi
echo "== nginx in front (deploy/nginx/thidua.conf)"
[ "$SENDFILE_MODE" = nginx ] || { echo "the template should set SENDFILE_MODE=nginx" >&2; exit 1; }
ngx="$work/nginx"
mkdir -p "$ngx/tls" "$ngx/temp"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
  -keyout "$ngx/tls/thidua.key" -out "$ngx/tls/thidua.crt" 2>/dev/null
http_port=$(free_port)
https_port=$(free_port)
sed -e "s#/etc/thidua/tls/#$ngx/tls/#" \
    -e "s#/var/lib/thidua/media/#$MEDIA_ROOT/#" \
    -e "s#/opt/thidua/current/staticfiles/#$prefix/current/staticfiles/#" \
    -e "s#server 127.0.0.1:8000 #server 127.0.0.1:$port #" \
    -e "s#listen 443 ssl http2;#listen 127.0.0.1:$https_port ssl http2;#" \
    -e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
    -e "/listen \[::\]/d" \
    -e "s#/etc/nginx/snippets/#$ngx/#" \
    -e "s#/var/log/nginx/#$ngx/#" \
    "$prefix/current/deploy/nginx/thidua.conf" > "$ngx/site.conf"
cp "$prefix/current/deploy/nginx/thidua-proxy.conf" "$ngx/"
grep -q "127.0.0.1:$port" "$ngx/site.conf" || { echo "the upstream was not moved" >&2; exit 1; }
cat > "$ngx/nginx.conf" <<NGINX
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  client_body_temp_path $ngx/temp/body;
  proxy_temp_path $ngx/temp/proxy;
  fastcgi_temp_path $ngx/temp/fastcgi;
  uwsgi_temp_path $ngx/temp/uwsgi;
  scgi_temp_path $ngx/temp/scgi;
  include $ngx/site.conf;
}
NGINX
nginx -t -q -p "$ngx" -c "$ngx/nginx.conf"
nginx -p "$ngx" -c "$ngx/nginx.conf"
pids+=("$(sleep 1; cat "$ngx/nginx.pid")")

# A user with a finished export, and a session for them.
read -r session job_file <<< "$(THIDUA_ENV="$env_file" "$prefix/current/deploy/manage.sh" shell -c "
from django.core.files.base import ContentFile
from django.test import Client
from clusters.models import User
from jobs.models import JobKind, JobProgress
user = User.objects.get(username='kept')
job = JobProgress.objects.create(kind=JobKind.RESULTS_EXPORT, user=user, status='done')
job.file.save('kết quả.xlsx', ContentFile(b'PK exported workbook'), save=True)
client = Client()
client.force_login(user)
print(client.cookies['sessionid'].value, f'/jobs/{job.pk}/file/')
" 2>/dev/null | tail -1)"
tls() { curl -sk --max-time 10 --resolve "localhost:$https_port:127.0.0.1" "$@"; }
base="https://localhost:$https_port"
headers=$(tls -D - -o "$work/download" -b "sessionid=$session" "$base$job_file")
grep -qi '^content-disposition: attachment' <<< "$headers" ||
  { echo "no attachment header: $headers" >&2; exit 1; }
grep -qi '^x-content-type-options: nosniff' <<< "$headers" ||
  { echo "no nosniff header: $headers" >&2; exit 1; }
[ "$(cat "$work/download")" = "PK exported workbook" ] ||
  { echo "the protected download through nginx differs" >&2; cat "$ngx/error.log" >&2; exit 1; }
[ "$(tls -o /dev/null -w '%{http_code}' "$base$job_file")" = 302 ] ||
  { echo "the download without a session was not sent to the login page" >&2; exit 1; }
for path in /protected/jobs/ /media/jobs/; do
  [ "$(tls -o /dev/null -w '%{http_code}' "$base$path")" = 404 ] ||
    { echo "$path is reachable from outside" >&2; exit 1; }
done
[ "$(tls -o /dev/null -w '%{http_code}' "$base/login/")" = 200 ] ||
  { echo "the login page through nginx failed" >&2; exit 1; }
tls -D - -o /dev/null "$base$css" | grep -qi '^cache-control: public, max-age=31536000, immutable' ||
  { echo "the static file is not served by nginx with a year's cache" >&2; exit 1; }
[ "$(tls -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] ||
  { echo "/readyz through nginx failed" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/login/")" = 301 ] ||
  { echo "plain HTTP is not sent to HTTPS" >&2; exit 1; }
echo "bundle-check: installed offline, upgraded keeping the data; gunicorn, the worker and nginx serve /healthz, /readyz, /login/, $css (cached a year) and a protected download (X-Accel-Redirect)"

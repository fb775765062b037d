#!/usr/bin/env bash
# Install or upgrade Thi đua from this offline bundle (docs/deploy.md). No network is used:
# Python packages come from wheelhouse/, the static files are already collected.
#
#   sudo ./install.sh [--prefix /opt/thidua] [--env /etc/thidua/thidua.env] [--user thidua]
#                     [--no-backup]
#
# Each run makes a new release folder, PREFIX/releases/<release>-<time>, with its own
# virtual environment, then: checks the settings (manage.py check --deploy), backs the
# database up when this is an upgrade (manage.py backup; --no-backup skips it), applies the
# migrations, checks again, and only then points PREFIX/current at the new release. The
# data (database, MEDIA_ROOT, BACKUP_DIR) lives outside PREFIX and is kept; the three
# newest releases are kept for going back. Restart the services afterwards.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prefix=/opt/thidua
env_file=/etc/thidua/thidua.env
service_user=thidua
backup=1

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --env) env_file=$2; shift 2 ;;
    --user) service_user=$2; shift 2 ;;
    --no-backup) backup=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "Unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

release=$(cat "$here/VERSION")
python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python=$(command -v "$candidate"); break
  fi
done
[ -n "$python" ] || fail "Python 3.11 is needed (Debian 12: apt install python3 python3-venv)."

# First installation: write the environment file from the template, with a new secret key,
# and stop so it can be completed.
if [ ! -f "$env_file" ]; then
  mkdir -p "$(dirname "$env_file")"
  secret=$("$python" -c 'import secrets; print(secrets.token_urlsafe(50))')
  sed "s|^SECRET_KEY=.*|SECRET_KEY=$secret|" "$here/src/deploy/thidua.env.example" > "$env_file"
  chmod 640 "$env_file"
  if [ "$(id -u)" = 0 ] && id "$service_user" >/dev/null 2>&1; then
    chgrp "$service_user" "$env_file"
  fi
  echo "Wrote $env_file from the template with a new SECRET_KEY."
  echo "Set ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS and DATABASE_URL in it, then run install.sh again."
  exit 3
fi

# Commands of the application run as the service user when installing as root, so files
# they create (an SQLite database, MEDIA_ROOT, backups) belong to it.
as_app() {
  if [ "$(id -u)" = 0 ] && id "$service_user" >/dev/null 2>&1; then
    runuser -u "$service_user" -- "$@"
  else
    "$@"
  fi
}

stamp=$(date -u +%Y%m%d%H%M%S)
target="$prefix/releases/$release-$stamp"
say "Release $release into $target"
mkdir -p "$prefix/releases"
cp -a "$here/src" "$target"
cp -a "$here/staticfiles" "$target/staticfiles"

say "Virtual environment (offline, from wheelhouse/)"
"$python" -m venv "$target/.venv"
PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null "$target/.venv/bin/python" -m pip install --quiet \
  --no-index --find-links "$here/wheelhouse" --disable-pip-version-check \
  --requirement "$target/requirements.txt"

# The service cannot write into the release (root's, read-only for it): compile it now.
"$target/.venv/bin/python" -m compileall -q -x '/\.venv/' "$target" >/dev/null

# The settings of the environment file, for the commands below; the static files are
# those of the new release.
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
export STATIC_ROOT="$target/staticfiles"
manage() { (cd "$target" && as_app "$target/.venv/bin/python" manage.py "$@"); }

say "Settings (manage.py check --deploy)"
manage check --deploy --fail-level WARNING

upgrade=0
if [ -L "$prefix/current" ]; then
  upgrade=1
  if [ "$backup" = 1 ]; then
    say "Backup before the upgrade (manage.py backup)"
    manage backup
  fi
fi

say "Migrations"
manage migrate --noinput
say "Settings again, on the migrated database"
manage check --deploy --fail-level WARNING

ln -sfn "$target" "$prefix/current.new"
mv -T "$prefix/current.new" "$prefix/current"
echo "$prefix/current -> $target"

# Keep the three newest releases (the running one included).
ls -1dt "$prefix"/releases/*/ 2>/dev/null | tail -n +4 | while read -r old; do
  [ "$(readlink -f "$old")" = "$(readlink -f "$prefix/current")" ] || rm -rf "$old"
done

say "Done: release $release"
if [ "$upgrade" = 1 ]; then
  cat <<NEXT
Upgrade installed. Next:
  systemctl restart thidua-web thidua-worker
  curl -fsS http://127.0.0.1:8000/readyz      # every check "ok"
Going back: point $prefix/current at the previous folder in $prefix/releases and restore
the backup written above if the migrations changed the database (docs/deploy.md).
NEXT
else
  cat <<NEXT
First installation done. Next (docs/deploy.md):
  1. an administrator account:
     $prefix/current/deploy/manage.sh createsuperuser
  2. the services: cp $prefix/current/deploy/systemd/* /etc/systemd/system/ &&
     systemctl daemon-reload && systemctl enable --now thidua-web thidua-worker thidua-daily.timer
  3. nginx: deploy/nginx/thidua.conf and thidua-proxy.conf, the TLS certificate, then
     systemctl reload nginx
  4. check: curl -fsS http://127.0.0.1:8000/readyz
NEXT
fi

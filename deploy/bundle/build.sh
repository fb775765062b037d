#!/usr/bin/env bash
# make bundle: dist/thidua-<version>-offline.tar.gz, everything a server without internet
# access needs (docs/deploy.md, "The offline bundle"):
#   src/          the committed source of HEAD (git archive), with VERSION
#   wheelhouse/   a wheel of every requirement (requirements.txt) for CPython 3.11 on Linux
#                 x86_64 (manylinux), so pip installs with --no-index
#   staticfiles/  the collected static files (the npm packages included: no npm on the server)
#   install.sh    installs or upgrades (deploy/bundle/install.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}

version=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
commit=$(git rev-parse --short=10 HEAD)
release="$version+$commit"
name="thidua-$version"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "Note: uncommitted changes are not in the bundle (it is built from HEAD, $commit)." >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage/src" "$stage/wheelhouse" "$ROOT/dist"

echo "== source of $commit"
git archive --format=tar HEAD | tar -x -C "$stage/src"
echo "$release" > "$stage/src/VERSION"
echo "$release" > "$stage/VERSION"

echo "== wheelhouse (CPython 3.11, manylinux x86_64)"
"$PY" -m pip download --quiet --disable-pip-version-check \
  --requirement requirements.txt --dest "$stage/wheelhouse" \
  --only-binary=:all: --implementation cp --python-version 3.11 \
  --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux_2_28_x86_64
# Any requirement published only as source would be missing: pip would have failed above.
ls "$stage/wheelhouse"/*.whl >/dev/null

echo "== static files (production storage: hashed names, compressed copies)"
[ -d node_modules ] || { echo "node_modules is missing: run make install first" >&2; exit 1; }
"$PY" deploy/build_icons.py  # the icon sprite (static/build/icons.svg) from the sources
# Bootstrap's CSS with the components in use (static/scss/bootstrap.scss), as make builds it.
node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
  --quiet-deps --silence-deprecation=import static/scss/bootstrap.scss static/build/bootstrap.css
DEBUG=0 SECRET_KEY=bundle-build-only-not-a-secret-key-0123456789abcdef \
  STATIC_ROOT="$stage/staticfiles" DATABASE_URL="sqlite:///$work/unused.sqlite3" \
  "$PY" manage.py collectstatic --noinput -v0

cp deploy/bundle/install.sh "$stage/install.sh"
chmod 755 "$stage/install.sh"

out="$ROOT/dist/$name-offline.tar.gz"
tar -C "$work" -czf "$out.part" "$name"
mv "$out.part" "$out"
echo "Bundle written: dist/$name-offline.tar.gz (release $release, $(du -h "$out" | cut -f1))"

#!/usr/bin/env bash
# Build the release artefact of this tree: dist/kiosk-<version>.tar and its .sha256 (deploy/bin/kiosk-release).
# It holds the app's wheel (built clean) and a wheel of every locked dependency, checked against the hashes in
# requirements/<lock>.lock, so a kiosk installs it without an index and without a compiler.
#
#   bash scripts/release.sh [--lock kiosk|demo] [--out DIR]
#
# --lock kiosk (default): kiosks that talk to the provincial platform or a reference server.
# --lock demo: kiosks that run the reference backend in-process (backend.url = "local").
# The version is the git tag's (setuptools-scm): tag a release `git tag v1.4.0` before building it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCK=kiosk OUT="$ROOT/dist" PYTHON="${PYTHON:-python3}"
while [ $# -gt 0 ]; do
  case "$1" in
    --lock) LOCK="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$ROOT/requirements/$LOCK.lock" ] || { echo "no requirements/$LOCK.lock" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/wheels" "$OUT"
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps -w "$WORK/wheels" "$ROOT"
"$PYTHON" -m pip wheel -q --disable-pip-version-check --require-hashes -r "$ROOT/requirements/$LOCK.lock" \
  -w "$WORK/wheels"
app="$(cd "$WORK/wheels" && ls jilin_kuasheng_kiosk-*.whl)"
version="$(echo "$app" | cut -d- -f2)"
"$PYTHON" "$ROOT/deploy/bin/kiosk-release" pack --version "$version" --wheels "$WORK/wheels" --out "$OUT"

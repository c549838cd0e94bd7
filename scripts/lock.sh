#!/usr/bin/env bash
# Regenerate the hash-locked requirements in requirements/ from pyproject.toml, for the kiosks' platform
# (Debian 12: CPython 3.11, x86_64, glibc 2.36). Provisioning, the playbook and the release artefact install
# exactly these; tests/deploy/test_lock.py fails when pyproject.toml asks for something a lock does not pin.
#
#   bash scripts/lock.sh            # keep the pins that still fit, add what is new
#   bash scripts/lock.sh --upgrade  # take the newest versions that fit
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV="${UV:-$(command -v uv || true)}"
if [ -z "$UV" ]; then
  python3 -m venv /tmp/kiosk-lock-tool && /tmp/kiosk-lock-tool/bin/pip install -q uv && UV=/tmp/kiosk-lock-tool/bin/uv
fi
cd "$ROOT"
UPGRADE=()
[ "${1:-}" = "--upgrade" ] && UPGRADE=(--upgrade)
compile() {  # compile NAME EXTRA...
  local name="$1" extras=() extra
  shift
  for extra in "$@"; do extras+=(--extra "$extra"); done
  "$UV" pip compile pyproject.toml "${extras[@]}" "${UPGRADE[@]}" --generate-hashes --python-version 3.11 \
    --python-platform x86_64-manylinux_2_28 --custom-compile-command "bash scripts/lock.sh" -q \
    -o "requirements/$name.lock"
}
mkdir -p requirements
compile kiosk kiosk            # a kiosk that talks to the provincial platform or a reference server
compile server server          # the reference backend
compile demo kiosk server      # a kiosk with the backend in-process (backend.url = "local"), the demo, CI
echo "requirements/{kiosk,server,demo}.lock written" >&2

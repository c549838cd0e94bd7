#!/usr/bin/env bash
# Write the reference images in tests/ui/snapshots/ anew from this tree, after a deliberate change of a citizen
# screen; then look at each changed PNG before committing it (a defect must not become the reference).
# CI draws with Debian 12's fonts-noto-cjk and Mesa llvmpipe in software: make references on the same.
# Extra arguments go to pytest (e.g. -k citizen_screens).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_ensure base test-ui
venv_ensure "test"
cd "$ROOT"
KIOSK_UPDATE_SNAPSHOTS=1 "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/ui/test_snapshots.py "$@"
git status --short -- tests/ui/snapshots

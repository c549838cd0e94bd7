#!/usr/bin/env bash
# The kiosk's main job on embedded defaults: simulated reader and printer, local backend.
# With a display it opens the kiosk; without one it runs the scripted walkthrough headless and prints the
# paths of what it produced. Extra arguments go to `kiosk demo`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_ensure base
venv_ensure "demo"
cd "$ROOT"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$VENV/bin/kiosk" demo --headless --out "${KIOSK_DEMO_OUT:-$ROOT/demo-out}" "$@"
fi
exec "$VENV/bin/kiosk" demo "$@"

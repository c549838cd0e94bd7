# Shared by scripts/demo.sh and scripts/test.sh: apt packages and the virtual environment.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${KIOSK_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

log() { printf '\033[1m[kiosk]\033[0m %s\n' "$*" >&2; }

# apt_ensure LIST...: install the Debian packages named in scripts/apt/LIST.txt that are missing.
apt_ensure() {
  local wanted=() missing=() pkg
  for list in "$@"; do
    while read -r pkg; do
      pkg="${pkg%%#*}"; pkg="${pkg// /}"
      [ -n "$pkg" ] && wanted+=("$pkg")
    done < "$ROOT/scripts/apt/$list.txt"
  done
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing Debian packages: ${missing[*]}"
    log "install them as root, then run this again:"
    log "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
}

# venv_ensure EXTRAS: create the virtual environment and install the project (editable) with extras.
venv_ensure() {
  local extras="$1" stamp
  if [ ! -x "$PY" ]; then
    log "creating virtual environment in $VENV"
    python3 -m venv "$VENV"
    "$PY" -m pip install -q --upgrade pip
  fi
  stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-${extras:-base}"
  if [ ! -f "$stamp" ]; then
    log "installing Python packages (first run takes a few minutes)"
    "$PY" -m pip install -q -e "$ROOT${extras:+[$extras]}"
    touch "$stamp"
  fi
}

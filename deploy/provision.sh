#!/usr/bin/env bash
# Provision this Debian 12 machine as a kiosk: a thin wrapper around the fleet playbook (deploy/ansible), so a
# single machine and the fleet get exactly the same steps.
#
#   sudo bash deploy/provision.sh --site-config /path/to/kiosk.toml --artefact dist/kiosk-1.4.0.tar \
#        [--key /path/to/backend.key] [--profile NAME] [--dry-run]
#
# --site-config: the site's kiosk.toml (checked by the new release before it goes live; data and key paths are
#   set to /var/lib/kiosk). --artefact: the release (bash scripts/release.sh builds it; its .sha256 beside it).
# --key: the kiosk key from `kiosk-backend enroll KIOSK_ID` (not needed with backend.url = "local").
# --dry-run prints the playbook command and runs it in --check mode (nothing is changed).
set -euo pipefail
APP_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SITE_CONFIG="" PROFILE="" ARTEFACT="" KEY="" DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --site-config) SITE_CONFIG="$2"; shift 2 ;;
    --artefact) ARTEFACT="$2"; shift 2 ;;
    --key) KEY="$2"; shift 2 ;;
    --profile) PROFILE="$2"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$SITE_CONFIG" ] || { echo "--site-config PATH is required (a kiosk.toml for this site)" >&2; exit 2; }
[ -f "$SITE_CONFIG" ] || { echo "no such file: $SITE_CONFIG" >&2; exit 2; }
[ -n "$ARTEFACT" ] || { echo "--artefact PATH is required (bash scripts/release.sh builds one)" >&2; exit 2; }
[ -f "$ARTEFACT" ] && [ -f "$ARTEFACT.sha256" ] || { echo "no artefact with checksum: $ARTEFACT(.sha256)" >&2; exit 2; }
if [ "$DRY" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then echo "run as root (or with --dry-run)" >&2; exit 2; fi
command -v ansible-playbook >/dev/null || { echo "install ansible-core first: apt-get install -y ansible-core" >&2; exit 2; }

# The site's file, with the kiosk's data and key folders and the profile asked for.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
sed -e 's|^data_dir = .*|data_dir = "/var/lib/kiosk/data"|' -e 's|^key_dir = .*|key_dir = "/var/lib/kiosk/keys"|' \
    -e 's|^usb_export_dir = .*|usb_export_dir = "/media/kiosk-usb"|' "$SITE_CONFIG" > "$WORK/kiosk.toml"
if [ -n "$PROFILE" ]; then
  sed -i "s/^device_profile = .*/device_profile = \"$PROFILE\"/" "$WORK/kiosk.toml"
fi
cat > "$WORK/inventory.yml" <<INVENTORY
all:
  children:
    kiosks:
      hosts:
        localhost:
          ansible_connection: local
          ansible_python_interpreter: /usr/bin/python3
INVENTORY
command=(ansible-playbook -i "$WORK/inventory.yml" "$APP_SRC/deploy/ansible/site.yml"
         -e "release_artefact=$(realpath "$ARTEFACT")" -e "site_config_file=$WORK/kiosk.toml")
[ -n "$KEY" ] && command+=(-e "kiosk_key_file=$(realpath "$KEY")")
[ "$DRY" -eq 1 ] && command+=(--check)
printf '+ %q' "${command[@]}"; printf '\n'
"${command[@]}"

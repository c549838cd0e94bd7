#!/usr/bin/env bash
# Provision one Debian 12 machine as a kiosk: packages, the kiosk user, the app in /opt/kiosk, the site's
# configuration in /etc/kiosk (checked before anything is enabled), systemd units, udev rules.
#
#   sudo bash deploy/provision.sh --site-config /path/to/kiosk.toml [--profile NAME] [--dry-run]
#
# --dry-run prints every step instead of running it.
set -euo pipefail
APP_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SITE_CONFIG="" PROFILE="" DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --site-config) SITE_CONFIG="$2"; shift 2 ;;
    --profile) PROFILE="$2"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$SITE_CONFIG" ] || { echo "--site-config PATH is required (a kiosk.toml for this site)" >&2; exit 2; }
[ -f "$SITE_CONFIG" ] || { echo "no such file: $SITE_CONFIG" >&2; exit 2; }
if [ "$DRY" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then echo "run as root (or with --dry-run)" >&2; exit 2; fi

run() { if [ "$DRY" -eq 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi; }
packages() { sed -e 's/#.*//' "$APP_SRC/scripts/apt/$1.txt" | tr -s ' \n' ' '; }

# shellcheck disable=SC2046
run apt-get install -y --no-install-recommends $(packages base) $(packages kiosk-host)
id kiosk >/dev/null 2>&1 || run useradd --system --create-home --home-dir /var/lib/kiosk --shell /usr/sbin/nologin kiosk
run usermod -a -G video,input,render,lp,dialout,systemd-journal kiosk
run install -d -o root -g root -m 0755 /opt/kiosk /opt/kiosk/app
run cp -a "$APP_SRC/." /opt/kiosk/app/
run python3 -m venv /opt/kiosk/venv
run /opt/kiosk/venv/bin/pip install -q /opt/kiosk/app
run install -d -o root -g kiosk -m 0750 /etc/kiosk /etc/kiosk/devices
run cp "$SITE_CONFIG" /etc/kiosk/kiosk.toml
run cp "$APP_SRC"/config/devices/*.toml /etc/kiosk/devices/
if [ -n "$PROFILE" ]; then
  run sed -i "s/^device_profile = .*/device_profile = \"$PROFILE\"/" /etc/kiosk/kiosk.toml
fi
run sed -i -e 's|^data_dir = .*|data_dir = "/var/lib/kiosk/data"|' -e 's|^key_dir = .*|key_dir = "/var/lib/kiosk/keys"|' /etc/kiosk/kiosk.toml
run install -d -o kiosk -g kiosk -m 0700 /var/lib/kiosk/data /var/lib/kiosk/keys /var/lib/kiosk/kivy
# Nothing is enabled unless the configuration is valid.
run /opt/kiosk/venv/bin/kiosk config check /etc/kiosk/kiosk.toml
run install -m 0644 "$APP_SRC"/deploy/systemd/kiosk.service "$APP_SRC"/deploy/systemd/kiosk-nightly-restart.service \
  "$APP_SRC"/deploy/systemd/kiosk-nightly-restart.timer /etc/systemd/system/
run install -D -m 0644 "$APP_SRC"/deploy/systemd/journald.conf.d/kiosk.conf /etc/systemd/journald.conf.d/kiosk.conf
run install -D -m 0644 "$APP_SRC"/deploy/systemd/logind.conf.d/kiosk.conf /etc/systemd/logind.conf.d/kiosk.conf
run install -m 0644 "$APP_SRC"/deploy/udev/99-kiosk.rules /etc/udev/rules.d/99-kiosk.rules
run install -d -m 0755 /media/kiosk-usb
run install -D -m 0644 "$APP_SRC"/deploy/polkit/49-kiosk.rules /etc/polkit-1/rules.d/49-kiosk.rules
run udevadm control --reload-rules
run udevadm trigger
# Screen blanking off on the console too (cage and Kivy keep the Wayland output awake).
run sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="\(.*\)"/GRUB_CMDLINE_LINUX_DEFAULT="\1 consoleblank=0"/' /etc/default/grub
run update-grub
run systemctl daemon-reload
run systemctl set-default graphical.target
run systemctl enable pcscd.socket kiosk.service kiosk-nightly-restart.timer
run systemctl restart systemd-journald
echo "provisioned: start with 'systemctl start kiosk' or reboot" >&2

#!/usr/bin/env bash
# The playbook's real run (what --check skips: the release install, the config check as the kiosk user, the
# units and host files) against a Debian 12 chroot, then the installed kiosk started as its unit would and the
# headless demo run by the kiosk user from /opt/kiosk/current. Needs root and the Debian mirror; takes minutes
# (debootstrap, then the kiosk's Debian packages), so CI does not run it: run it before a release.
#
#   sudo bash scripts/chroot-playbook-test.sh [CHROOT]     # default /var/tmp/kiosk-chroot (kept for next time)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CHROOT="${1:-/var/tmp/kiosk-chroot}"
[ "$(id -u)" -eq 0 ] || { log "run as root"; exit 2; }
command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq debootstrap >/dev/null; }
if [ ! -x "$CHROOT/usr/bin/ansible-playbook" ]; then
  log "making a Debian 12 chroot in $CHROOT"
  debootstrap --variant=minbase --include=python3,python3-apt,systemd,ca-certificates bookworm "$CHROOT" \
    http://deb.debian.org/debian >/dev/null
  printf '#!/bin/sh\nexit 101\n' > "$CHROOT/usr/sbin/policy-rc.d"  # no daemons start inside the chroot
  chmod +x "$CHROOT/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
  chroot "$CHROOT" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends ansible-core >/dev/null'
fi
mounted=()
for fs in proc sys dev; do
  if ! mountpoint -q "$CHROOT/$fs"; then mount --bind "/$fs" "$CHROOT/$fs"; mounted+=("$CHROOT/$fs"); fi
done
cleanup() { for m in "${mounted[@]}"; do umount "$m"; done; }
trap cleanup EXIT
venv_ensure "test"
cd "$ROOT"
KIOSK_TEST_CHROOT="$CHROOT" "$PY" -m pytest -p no:cacheprovider tests/deploy/test_playbook_chroot.py -q "${@:2}"

#!/usr/bin/env bash
# A private pcscd with vsmartcard's virtual reader (vpcd) for the reader tests and the benchmark.
#
#   scripts/pcscd-test.sh DIR start|stop|restart|status
#
# DIR holds the reader.conf.d, the log, the pid and the vpcd port. pcscd runs in its own mount namespace
# with DIR/run bound over /run/pcscd, so its socket is DIR/run/pcscd.comm (clients: PCSCLITE_CSOCK_NAME)
# and it never clashes with a pcscd of the machine. vpcd listens on PORT (slot 0) and PORT+1 (slot 1),
# a free pair chosen at the first start and kept in DIR/port. Idempotent; never waits more than ~10 s.
set -euo pipefail
dir="${1:?usage: pcscd-test.sh DIR start|stop|restart|status}"
action="${2:?usage: pcscd-test.sh DIR start|stop|restart|status}"
vpcd_driver=/usr/lib/pcsc/drivers/serial/libifdvpcd.so

running() {
  [ -f "$dir/pcscd.pid" ] && kill -0 "$(cat "$dir/pcscd.pid")" 2>/dev/null
}

free_port_pair() {
  python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randrange(20000, 60000)
    try:
        for p in (port, port + 1):
            with socket.socket() as s:
                s.bind(("0.0.0.0", p))
    except OSError:
        continue
    print(port)
    break
PY
}

start() {
  if running && [ -S "$dir/run/pcscd.comm" ]; then return 0; fi
  command -v pcscd >/dev/null || { echo "pcscd is not installed (scripts/apt/test-readers.txt)" >&2; return 1; }
  [ -e "$vpcd_driver" ] || { echo "vsmartcard-vpcd is not installed ($vpcd_driver missing)" >&2; return 1; }
  mkdir -p "$dir/run" "$dir/reader.conf.d"
  [ -s "$dir/port" ] || free_port_pair > "$dir/port"
  local port; port="$(cat "$dir/port")"
  cat > "$dir/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Kiosk Test PCD"
DEVICENAME   /dev/null:$port
LIBPATH      $vpcd_driver
CHANNELID    $port
CONF
  rm -f "$dir/run/pcscd.comm" "$dir/run/pcscd.pid"
  if unshare -m true 2>/dev/null; then
    mkdir -p /run/pcscd  # the mount point; the system's pcscd, if any, keeps its own socket outside
    setsid unshare -m sh -c "mount --bind '$dir/run' /run/pcscd && exec pcscd --foreground --config '$dir/reader.conf.d'" \
      >"$dir/pcscd.log" 2>&1 </dev/null &
  else
    # No mount namespaces here: share /run/pcscd, which only works when no other pcscd owns it.
    if [ -S /run/pcscd/pcscd.comm ]; then
      echo "another pcscd owns /run/pcscd and unshare -m is not permitted: cannot start a test pcscd" >&2
      return 1
    fi
    setsid pcscd --foreground --config "$dir/reader.conf.d" >"$dir/pcscd.log" 2>&1 </dev/null &
    ln -sfn /run/pcscd/pcscd.comm "$dir/run/pcscd.comm"
  fi
  echo $! > "$dir/pcscd.pid"
  for _ in $(seq 100); do
    if [ -S "$dir/run/pcscd.comm" ] || [ -S "$(readlink -f "$dir/run/pcscd.comm" 2>/dev/null || echo /nonexistent)" ]; then
      return 0
    fi
    running || break
    sleep 0.1
  done
  echo "pcscd did not start; its log:" >&2
  cat "$dir/pcscd.log" >&2 || true
  return 1
}

stop() {
  running || { rm -f "$dir/pcscd.pid"; return 0; }
  local pid; pid="$(cat "$dir/pcscd.pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/pcscd.pid"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if running; then echo "running pid $(cat "$dir/pcscd.pid") vpcd port $(cat "$dir/port")"; else echo stopped; exit 3; fi ;;
  *) echo "unknown action $action" >&2; exit 2 ;;
esac

# Sourced by scripts/test.sh: start the private test pcscd with vpcd (scripts/pcscd-test.sh) and tell the
# tests where it is. It must start after vsmartcard-vpcd is installed, because pcscd reads its reader
# configuration only at start-up. The tests adopt this instance; run alone, they start their own.
export KIOSK_TEST_PCSCD_DIR="${KIOSK_TEST_PCSCD_DIR:-${TMPDIR:-/tmp}/kiosk-test-pcscd}"
export PCSCLITE_CSOCK_NAME="$KIOSK_TEST_PCSCD_DIR/run/pcscd.comm"
if bash "$ROOT/scripts/pcscd-test.sh" "$KIOSK_TEST_PCSCD_DIR" start; then
  log "pcscd: $(bash "$ROOT/scripts/pcscd-test.sh" "$KIOSK_TEST_PCSCD_DIR" status)"
else
  log "pcscd: the test instance did not start; the PC/SC tests will report why"
  unset KIOSK_TEST_PCSCD_DIR PCSCLITE_CSOCK_NAME
fi

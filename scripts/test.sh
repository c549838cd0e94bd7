#!/usr/bin/env bash
# Install everything the tests need, start the services they use, then run linters and the whole suite.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_ensure base build $(cd "$ROOT/scripts/apt" && ls test*.txt | sed "s/\.txt$//")
venv_ensure "test"
cd "$ROOT"
export PATH="$VENV/bin:$PATH"

# Services the tests need (pcscd with vpcd, PostgreSQL, ...): each file starts one and may export variables.
for service in "$ROOT"/scripts/services.d/*.sh; do
  [ -e "$service" ] || continue
  log "starting $(basename "$service" .sh)"
  # shellcheck disable=SC1090
  source "$service"
done

log "ruff"; ruff check .
log "mypy (strict on every package)"; mypy
log "import-linter"; lint-imports
log "mutation testing of the fast core modules (identity, card text; the rest: scripts/mutation.sh)"
bash "$ROOT/scripts/mutation.sh" --fast
log "pytest"
set +e
pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  log "pytest collected no tests: that is a failure"
  exit 1
fi
exit "$status"

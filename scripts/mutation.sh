#!/usr/bin/env bash
# Mutation testing of the core: scripts/mutation.sh [--fast] [-v] [MODULE...]
# Runs mutmut on each module of scripts/mutation.toml against its unit tests (one worker), prints each score
# and exits 1 when a module is below its goal or scripts/mutation-equivalents.toml lists a mutant that is
# gone or killed. `--fast` runs the modules marked fast (identity, card text): the CI job.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if ! "$PY" -c "import mutmut" 2>/dev/null; then
  venv_ensure "test"
fi
cd "$ROOT"
exec "$PY" "$ROOT/scripts/mutation.py" "$@"

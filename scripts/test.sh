#!/usr/bin/env bash
# Set up (if needed: scripts/setup.sh --test skips what is already done) and run the tests.
usage() {
  cat <<'EOF'
usage: scripts/test.sh                     every test: the JavaScript tests (npm test), then all of pytest (unit,
                                           sandbox, integration, sync and the real-browser tests); what CI runs
       scripts/test.sh --js                only the JavaScript tests (npm test)
       scripts/test.sh --py [PYTEST ARGS]  only pytest, with these arguments
       scripts/test.sh PYTEST ARGS         the same, e.g. scripts/test.sh tests/test_panel.py -x
       scripts/test.sh --help              this text
The full runs spread pytest over the cores (LS_WIDGET_TEST_WORKERS=N for N workers, 0 for none).
Each first runs scripts/setup.sh --test, which installs only what is missing or changed (everything in CI).
EOF
}
set -euo pipefail
cd "$(dirname "$0")/.."

js=1
py=1
if [ $# -gt 0 ]; then
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --js)
      shift
      [ $# = 0 ] || { echo "test: --js takes no arguments (got: $*)" >&2; usage >&2; exit 2; }
      py=0 ;;
    --py) shift; js=0 ;;
    *) js=0 ;;  # arguments for pytest
  esac
fi

scripts/setup.sh --test
if [ "$js" = 1 ]; then
  npm test
fi
if [ "$py" = 1 ]; then
  if [ $# = 0 ]; then
    # The whole suite in parallel (pytest-xdist), one worker per core (one more was slower on 2 cores), each file's
    # tests on one worker: a module's sandbox, synced world or PostgreSQL server is built once. (--dist loadgroup
    # would group further, but pytest-xdist 3.8 groups nothing under pytest 9, whose test ids it can no longer set.)
    # Files go out in collection order, which tests/conftest.py makes slowest first.
    set -- -n "${LS_WIDGET_TEST_WORKERS:-auto}" --dist loadfile --no-loadscope-reorder
  fi
  exec .venv/bin/python -m pytest "$@"
fi

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
    # The whole suite in parallel (pytest-xdist), one worker per core, a file's tests on one worker
    # (tests/conftest.py). One more worker than the cores was slower on 2 cores (15.4 against 12.4 minutes).
    set -- -n "${LS_WIDGET_TEST_WORKERS:-auto}" --dist loadgroup
  fi
  exec .venv/bin/python -m pytest "$@"
fi

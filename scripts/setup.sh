#!/usr/bin/env bash
# Everything a fresh machine needs to run ls_widget from this checkout: a virtual environment in .venv with the
# package installed in editable mode (which builds the panel's JavaScript), plus the test tools when asked.
#   scripts/setup.sh          the demo's needs (JupyterLab, pandas)
#   scripts/setup.sh --test   also the test tools and Debian's Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required ($2)" >&2; exit 1; }; }
need python3 "Python 3.10 or newer"
need npm "Node.js 18+ with npm, to build the panel's JavaScript"
python3 - <<'PY' || { echo "setup: Python 3.10 or newer is required" >&2; exit 1; }
import sys; sys.exit(sys.version_info < (3, 10))
PY

if [ "$want_tests" = 1 ]; then
  # The browser tests drive Debian's Chromium (Playwright cannot download its own browser here); the sync tests
  # load into a real PostgreSQL, started by their fixture from Debian's binaries.
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    echo "setup: installing Debian's ${missing[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
npm ci --no-audit --no-fund --loglevel=error
extras="demo"
[ "$want_tests" = 1 ] && extras="demo,test"
# Editable install: hatch-jupyter-builder runs `npm run build`, writing ls_widget/static/widget.{js,css}.
.venv/bin/python -m pip install -q -e ".[$extras]"
echo "setup: ready (.venv)"

#!/usr/bin/env bash
# Set up (if needed) and run every test: the JavaScript unit tests, then all Python tests (unit, sandbox,
# integration and the real-browser tests in JupyterLab + headless Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
npm test
exec .venv/bin/python -m pytest "$@"

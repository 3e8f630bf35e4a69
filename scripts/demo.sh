#!/usr/bin/env bash
# Set up (if needed) and open the quickstart notebook in JupyterLab.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m jupyterlab notebooks/quickstart.ipynb "$@"

#!/usr/bin/env bash
# Set up (if needed) and open the quickstart notebook in JupyterLab. Extra arguments go to JupyterLab.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
extra=()
# Containers often run as root, and JupyterLab refuses to start as root without this flag.
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec .venv/bin/python -m jupyterlab ${extra[@]+"${extra[@]}"} notebooks/quickstart.ipynb "$@"

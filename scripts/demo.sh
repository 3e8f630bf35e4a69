#!/usr/bin/env bash
# Set up (if needed) and open the quickstart notebook in JupyterLab. Extra arguments go to JupyterLab
# (e.g. --no-browser, --port=8899).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
notebook=notebooks/quickstart.ipynb
extra=()
# Containers often run as root, and JupyterLab refuses to start as root without this flag.
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
# JupyterLab serves this checkout and lands on the notebook itself: default_url is both the URL it prints (with the
# token) and the page it opens in the browser. (Passing the notebook as an argument would open it in the browser
# but print the Launcher's /lab URL.)
exec .venv/bin/python -m jupyterlab ${extra[@]+"${extra[@]}"} --LabApp.default_url="/lab/tree/$notebook" "$@"

#!/usr/bin/env bash
# Everything a fresh machine needs to run ls_widget from this checkout: node_modules (npm ci), the panel's JavaScript
# bundle (npm run build), a virtual environment in .venv with the package installed in editable mode, plus the test
# tools when asked.
#
# Steps already done are skipped: each install leaves a stamp (node_modules/.ls-widget-setup, .venv/.ls-widget-setup)
# holding a digest of what it was made from (package.json and package-lock.json; pyproject.toml and the extras; this
# script), and runs again only when that changed or what it installed has gone. The bundle is rebuilt when missing
# or older than js/, package.json or package-lock.json. In CI (CI set) or with --force everything is done again.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: scripts/setup.sh [--test] [--check] [--force]
  (none)    set up for the demo: node_modules, the JavaScript bundle, .venv with ls_widget[demo]
  --test    also the test tools (ls_widget[demo,test]) and Debian's chromium and postgresql (apt-get)
  --check   only check the prerequisites (Python 3.10+, Node.js as package.json's "engines" says); install nothing
  --force   install again even where the stamps say it is done (what CI does: CI set in the environment)
EOF
}

mode=demo
check_only=0
force=0
for arg in "$@"; do
  case "$arg" in
    --test) mode=test ;;
    --check) check_only=1 ;;
    --force) force=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
case "${CI:-}" in "" | 0 | false) ;; *) force=1 ;; esac

fail() { echo "setup: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "'$1' is required ($2)"; }

# --- Prerequisites, checked before anything is installed or created ---
need python3 "Python 3.10 or newer"
node_found=$(node --version 2>/dev/null) || node_found=""
# One python3 run (through a pyenv shim each start costs a tenth of a second) prints three lines: its own version;
# the Node.js range that package.json's "engines" asks for (the one place it is written down: npm ci alone only
# warns); and whether node_found is in that range: ok, no, missing or unreadable.
prereq=$(python3 - "$node_found" <<'PY'
import json, re, sys

def parse(text):
    m = re.fullmatch(r"v?(\d+)(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?(?:[-+].*)?", text.strip())
    if not m:
        raise ValueError(text)
    parts = [p for p in m.groups() if p is not None and p not in ("x", "*")]
    return tuple(int(p) for p in parts)  # 1 to 3 numbers: "20", "20.19", "20.19.0"

def full(v):
    return v + (0,) * (3 - len(v))

def bump(v):  # the first version past an x-range: 20 -> 21.0.0, 20.19 -> 20.20.0
    return full(v[:-1] + (v[-1] + 1,))

def satisfies(version, op, rest):
    """npm's semver, for what package.json may say about node: >= > <= < = ^ ~ and x-ranges."""
    w = parse(rest)
    if op == "^":  # up to the first non-zero part: ^20.19.0 < 21.0.0, ^0.2.3 < 0.3.0, ^0 < 1.0.0
        upper = min(next(i for i, n in enumerate(full(w)) if n or i == 2), len(w) - 1)
        return full(w) <= version < bump(w[: upper + 1])
    if op == "~":
        return full(w) <= version < bump(w[:2] if len(w) > 1 else w)
    if op in ("", "="):
        return full(w) <= version < bump(w) if len(w) < 3 else version == w
    low = full(w)
    if op in (">", "<=") and len(w) < 3:  # >20 means >=21, <=20 means <21
        op, low = {">": ">=", "<=": "<"}[op], bump(w)
    return {">=": version >= low, ">": version > low, "<": version < low, "<=": version <= low}[op]

print("%d.%d.%d" % sys.version_info[:3])
try:
    wanted = json.load(open("package.json"))["engines"]["node"]
except Exception:
    print("(package.json has no engines.node)")
    print("unreadable")
    sys.exit()
print(wanted)
if not sys.argv[1]:
    print("missing")
    sys.exit()
try:
    found = full(parse(sys.argv[1]))
    alternatives = [re.findall(r"(>=|<=|>|<|=|\^|~)?\s*([^\s<>=^~|]+)", alt) for alt in wanted.split("||")]
    if not all(alternatives):
        raise ValueError(wanted)
    ok = any(all(satisfies(found, op, rest) for op, rest in alt) for alt in alternatives)
    print("ok" if ok else "no")
except Exception:
    print("unreadable")
PY
) || fail "python3 does not run"
{ read -r python_version; read -r node_wanted; read -r node_verdict; } <<<"$prereq"
IFS=. read -r py_major py_minor _ <<<"$python_version"
if [ "$py_major" -lt 3 ] || { [ "$py_major" = 3 ] && [ "$py_minor" -lt 10 ]; }; then
  fail "Python 3.10 or newer is required; python3 is $python_version"
fi
node_help() {
  cat >&2 <<'EOF'
setup: install a current Node.js (npm comes with it), then run this again. For example:
         nvm (no root):   nvm install 22         https://github.com/nvm-sh/nvm
         Debian/Ubuntu:   NodeSource's packages  https://github.com/nodesource/distributions
                          (the distribution's own 'apt-get install nodejs' is Node 18 on Debian 12 and Ubuntu 24.04:
                          too old; Debian 13's Node 20.19 is new enough)
         any system:      https://nodejs.org/en/download
EOF
}
case "$node_verdict" in
  ok) ;;
  missing)
    echo "setup: 'node' not found: this checkout needs Node.js $node_wanted to build and test the panel's" \
      "JavaScript" >&2
    node_help; exit 1 ;;
  no)
    echo "setup: Node.js $node_found found, but this checkout needs Node.js $node_wanted" >&2
    echo "       (package.json \"engines\": what the JavaScript build and test tools in package-lock.json need)" >&2
    node_help; exit 1 ;;
  *) fail "cannot compare Node.js '$node_found' with package.json's engines.node: $node_wanted" ;;
esac
need npm "npm, which comes with Node.js"
if [ "$check_only" = 1 ]; then
  echo "setup: prerequisites fine: Python $python_version, Node.js $node_found (needs $node_wanted)"
  exit 0
fi

# --- Debian packages for the tests ---
if [ "$mode" = test ]; then
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

# A digest of the given files' names and contents, so a stamp can tell whether they changed since it was written.
digest() {
  local sha=(sha256sum)
  command -v sha256sum >/dev/null 2>&1 || sha=(shasum -a 256)  # macOS
  for name in "$@"; do printf '%s %s\n' "$name" "$(wc -c <"$name")"; cat "$name"; done | "${sha[@]}" | cut -d' ' -f1
}
stamp_says() { [ "$force" = 0 ] && [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# --- node_modules: the JavaScript build and test tools ---
npm_stamp=node_modules/.ls-widget-setup
npm_digest=$(digest package.json package-lock.json scripts/setup.sh)
if stamp_says "$npm_stamp" "$npm_digest" && [ -x node_modules/.bin/esbuild ] && [ -x node_modules/.bin/vitest ]; then
  echo "setup: node_modules up to date"
else
  rm -f "$npm_stamp"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_digest" >"$npm_stamp"
fi

# --- The panel's bundle: ls_widget/static/widget.{js,css} ---
# Built here rather than left to the editable install below (whose build hook may skip a bundle that exists), and
# only when missing or when its sources' content changed (npm's start is most of the half second it takes). By
# content, not by date: a file saved within the same second as the last build (file systems that keep mtimes to 1
# or 2 s) is "not newer", and a date comparison would keep the old bundle.
bundle=(ls_widget/static/widget.js ls_widget/static/widget.css)
bundle_stamp=node_modules/.ls-widget-bundle
# shellcheck disable=SC2046 # the source files' names have no spaces (js/ is ours)
bundle_digest=$(digest $(find js -type f | LC_ALL=C sort) package.json package-lock.json)
if [ ! -f "${bundle[0]}" ] || [ ! -f "${bundle[1]}" ] || ! stamp_says "$bundle_stamp" "$bundle_digest"; then
  rm -f "$bundle_stamp"
  npm run --silent build -- --log-level=warning
  echo "$bundle_digest" >"$bundle_stamp"
else
  echo "setup: ${bundle[*]} up to date"
fi

# --- .venv: ls_widget in editable mode with the extras ---
extras="demo"
[ "$mode" = test ] && extras="demo,test"
pip_stamp=.venv/.ls-widget-setup
pip_digest=$(digest pyproject.toml scripts/setup.sh)
# The stamp names the extras installed; the test set includes the demo's.
if [ -x .venv/bin/python ] && [ "$force" = 0 ] && [ -f "$pip_stamp" ] && {
  [ "$(cat "$pip_stamp")" = "$pip_digest demo,test" ] || [ "$(cat "$pip_stamp")" = "$pip_digest $extras" ]
} && .venv/bin/python - "$PWD" "$mode" <<'PY'
# Still there: ls_widget from this checkout, and the main tools of the mode.
import importlib.util, os, sys
root, mode = sys.argv[1:]
spec = importlib.util.find_spec("ls_widget")
origin = spec.origin if spec is not None else None
here = origin is not None and os.path.realpath(origin).startswith(os.path.realpath(root) + os.sep)
tools = ["jupyterlab"] + (["pytest", "playwright"] if mode == "test" else [])
sys.exit(0 if here and all(importlib.util.find_spec(name) for name in tools) else 1)
PY
then
  echo "setup: .venv up to date (ls_widget[$(cut -d' ' -f2 "$pip_stamp")])"
else
  [ -x .venv/bin/python ] || python3 -m venv .venv
  rm -f "$pip_stamp"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  echo "$pip_digest $extras" >"$pip_stamp"
fi
echo "setup: ready (.venv)"

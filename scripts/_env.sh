# Sourced by scripts/demo and scripts/test: makes sure .venv and node_modules are installed and current.
# `source _env.sh dev` (scripts/test) installs the test tools too; plain `source _env.sh` (scripts/demo)
# only what the product needs to run. Reinstalls only when pyproject.toml or package-lock.json changed
# since the last install of that kind.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Marginal needs Python 3.11 or newer on PATH" >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv ..." >&2
  "$(find_python)" -m venv .venv
fi
installed() { [ -f "$1" ] && [ ! pyproject.toml -nt "$1" ]; }
# uv installs the packages (in parallel, from its own cache after the first time: about 10 s where pip
# takes minutes); pip itself only fetches uv, and installs everything if uv cannot be had or fails.
# UV_NATIVE_TLS trusts the system's certificates, as pip does.
pip_install() {
  if [ -x .venv/bin/uv ] || .venv/bin/python -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then
    if UV_NATIVE_TLS="${UV_NATIVE_TLS:-1}" .venv/bin/uv pip install --quiet --python .venv/bin/python "$@"; then
      return 0
    fi
    echo "uv could not install the packages; trying pip ..." >&2
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"
}
if [ "${1:-}" = dev ]; then
  if ! installed .venv/.marginal-installed-dev; then
    echo "Installing Marginal and its test tools into .venv ..." >&2
    pip_install -e ".[dev]"
    touch .venv/.marginal-installed-dev .venv/.marginal-installed
  fi
elif ! installed .venv/.marginal-installed && ! installed .venv/.marginal-installed-dev; then
  echo "Installing Marginal into .venv ..." >&2
  pip_install -e .
  touch .venv/.marginal-installed
fi
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing JavaScript libraries (npm ci) ..." >&2
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
export PATH="$ROOT/.venv/bin:$PATH"

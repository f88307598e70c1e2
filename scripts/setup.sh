#!/usr/bin/env bash
# Installs what Encours needs on a fresh machine: uv (from PyPI) and the locked Python environment.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi
uv sync --frozen --quiet --compile-bytecode  # as an installed package is: no compiling at every start

#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs dependencies and services, runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/services.sh
start_postgres
ensure_chromium
trap 'eval "$ENCOURS_TEST_POSTGRES_STOP" >/dev/null 2>&1 || true' EXIT
uv run ruff check
uv run ruff format --check
uv run mypy
uv run lint-imports
set +e
uv run pytest -p no:cacheprovider "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: failing, a suite that runs nothing proves nothing" >&2
  exit 1
fi
exit "$status"

#!/usr/bin/env bash
# The main job on the embedded default: the web app on a demo company in SQLite.
# Creates the demo company on first run, prints the address and a demo login, then serves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
uv run encours serve --demo --db "${ENCOURS_DATABASE_URL:-sqlite:///encours.db}" "$@"

#!/usr/bin/env bash
# The main job on the embedded default: a demo company in SQLite, its aged balance and KPIs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
uv run encours demo --db "${ENCOURS_DATABASE_URL:-sqlite:///encours.db}"

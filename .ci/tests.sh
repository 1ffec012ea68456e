#!/usr/bin/env bash
# Runs the suite. Playwright uses Debian's Chromium (no browser download).
# Most tests wait on live servers, browsers and databases rather than compute (one pytest
# process keeps a 2-core machine at about half a core), so four workers share two cores well.
# EOFFICE_TEST_WORKERS=0 runs in one process (easier to read when debugging).
set -euo pipefail
cd "$(dirname "$0")/.."
workers="${EOFFICE_TEST_WORKERS:-4}"
if [ "$workers" = "0" ]; then
  exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest -n "$workers" --dist loadgroup "$@"

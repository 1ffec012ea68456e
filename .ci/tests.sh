#!/usr/bin/env bash
# Runs the suite. Playwright uses Debian's Chromium (no browser download).
# Most tests wait on live servers, browsers and databases rather than compute (one pytest
# process keeps a 2-core machine at about half a core), so four workers share two cores well.
# The tests that assert a time limit (marked `timed`, see tests/conftest.py) run afterwards,
# alone, so the other workers' load does not count against them.
# EOFFICE_TEST_WORKERS=0 runs everything in one process (easier to read when debugging).
set -uo pipefail
cd "$(dirname "$0")/.."
workers="${EOFFICE_TEST_WORKERS:-4}"
if [ "$workers" = "0" ]; then
  exec .venv/bin/python -m pytest "$@"
fi
.venv/bin/python -m pytest -n "$workers" --dist loadscope -m "not timed" "$@"
parallel=$?
.venv/bin/python -m pytest -m timed "$@"
alone=$?
[ "$alone" = "5" ] && alone=0  # 5: no timed test among the ones asked for
[ "$parallel" = "5" ] && parallel=0
echo "parallel part: exit $parallel; timed part: exit $alone"
[ "$parallel" = "0" ] && [ "$alone" = "0" ]

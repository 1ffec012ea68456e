#!/usr/bin/env bash
# Runs the suite. Playwright uses Debian's Chromium (no browser download).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"

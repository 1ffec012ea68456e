#!/usr/bin/env bash
# Copies the browser assets eoffice serves out of the npm packages pinned in package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
out=eoffice/static/vendor
rm -rf "$out"; mkdir -p "$out/pdfjs"
cp node_modules/socket.io-client/dist/socket.io.min.js "$out/"
cp node_modules/chart.js/dist/chart.umd.min.js "$out/chart.umd.min.js"
cp node_modules/idiomorph/dist/idiomorph.min.js "$out/"  # DOM morphing: the live room keeps focus
cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs "$out/pdfjs/"
cp -r node_modules/pdfjs-dist/cmaps node_modules/pdfjs-dist/standard_fonts "$out/pdfjs/"
mkdir -p "$out/swagger-ui"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
   "$out/swagger-ui/"
# Searchable unit → person picker (progressive enhancement of plain <select>s; CSP-safe).
mkdir -p "$out/tom-select"
cp node_modules/tom-select/dist/js/tom-select.complete.min.js \
   node_modules/tom-select/dist/css/tom-select.default.min.css "$out/tom-select/"

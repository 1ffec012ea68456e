# eoffice — two commands do all the set-up on a fresh Debian/Ubuntu machine:
#   make run    start the app on the embedded defaults (SQLite, local objects, demo PKI, demo data)
#   make test   install what the tests need and run them
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON3 ?= python3
PORT ?= 5000
export PORT

# Debian packages the tests drive for real (never mocked).
TEST_DEBS := redis-server libreoffice-writer-nogui fonts-liberation2 python3-uno \
             fonts-dejavu-core softhsm2 opensc poppler-utils libnss3-tools chromium
# Debian packages the app itself needs at run time (LibreOffice converts drafts to PDF, kept
# warm through unoserver, whose server half needs python3-uno for /usr/bin/python3; poppler's
# pdftotext reads drafts' text boxes for the format check and the search index).
RUN_DEBS := nodejs npm libreoffice-writer-nogui fonts-liberation2 fonts-dejavu-core python3-uno \
            poppler-utils

.PHONY: run test lint bench install install-dev debs-run debs-test static clean \
        check-edxml-reference check-axis-reference

run: install static debs-run
	@$(PY) -m flask --app wsgi db upgrade heads --directory migrations >/dev/null
	@$(PY) -m flask --app wsgi seed-demo > instance/seed-demo.log
	@grep "^Cuộc họp dùng thử" instance/seed-demo.log || true
	@$(PY) wsgi.py

test: install-dev static debs-test
	@bash .ci/tests.sh

lint: install-dev
	$(VENV)/bin/ruff check .

bench: install-dev static debs-test
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# edXML against the official EdXML102 library (Java + the public SDK example repository,
# EDXML_REFERENCE_REPO); the jar and samples may not be committed, so not part of `make test`.
check-edxml-reference: install-dev
	@PYTHONPATH=$(CURDIR) $(PY) reference/edxml/check.py

# Our hub against the national axis's own SDK (SDKVXP 2.0.1 from the same public repository,
# AXIS_REFERENCE_REPO or EDXML_REFERENCE_REPO); the jar may not be committed: not in `make test`.
check-axis-reference: install-dev
	@PYTHONPATH=$(CURDIR) $(PY) reference/axis/check.py

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

$(VENV)/bin/python:
	$(PYTHON3) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

# Static assets come from the npm registry (pinned in package-lock.json), never from a CDN.
static: eoffice/static/vendor/.built
eoffice/static/vendor/.built: package.json package-lock.json scripts/build_static.sh
	@$(MAKE) --no-print-directory debs-run
	@bash scripts/build_static.sh
	@touch $@

debs-run:
	@bash scripts/ensure_debs.sh $(RUN_DEBS)

debs-test:
	@bash scripts/ensure_debs.sh $(TEST_DEBS)

clean:
	rm -rf $(VENV) node_modules eoffice/static/vendor instance/test-*

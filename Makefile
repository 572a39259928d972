# The two commands a new user needs: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_DEBUG ?= 1

.PHONY: run test install venv migrate demo lint messages bench bench-1m bench-floor bench-api bench-publish bench-sync clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
	$(BIN)/python manage.py compile_catalogs

## Collect the marked strings into locale/{fr,de}/LC_MESSAGES/django.po (needs GNU gettext's xgettext).
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l fr -l de --no-obsolete --add-location=file \
	  -i ".venv/*" -i "tests/*" -i "benchmarks/*" -i "staticfiles/*" -i "docs/*" -i "scripts/*"
	$(BIN)/python manage.py compile_catalogs

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

# The demo store's Quick Fill URLs point at feeds that the application serves itself (demo/).
demo run: export MARKETPLACE_DEMO_FEEDS = 1

demo: migrate
	$(BIN)/python manage.py seed_demo --base-url http://127.0.0.1:$(PORT)

## Set up everything and run the web server and a django-q2 worker (SQLite, ORM broker, demo data).
run: demo
	MARKETPLACE_FRIENDLY_ERROR_PAGES=1 MARKETPLACE_FETCH_ALLOWED_HOSTS=127.0.0.1:$(PORT),localhost:$(PORT) PORT=$(PORT) \
	  EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
	  $(BIN)/honcho start

## Set up everything and run the whole test suite (SQLite unless DATABASE_URL is set); the tests make their own database, so the development one is left alone.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Run the browser tests and save their screenshots in docs/screenshots/ (the README shows them).
screenshots: install
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

## Lint, formatting and types, as CI checks them.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

ROWS ?= 100000
## Benchmark the import (ours on PostgreSQL and SQLite, django-import-export, PostgreSQL COPY); ROWS=100000.
bench: install
	$(BIN)/python -m benchmarks.bench --rows $(ROWS)

## The same, plus a 1,000,000-row import to show that memory stays flat (takes several minutes).
bench-1m: install
	$(BIN)/python -m benchmarks.bench --rows $(ROWS) --rss-rows 1000000

## What PostgreSQL alone needs to store a fresh import's rows (COPY replay, no Python), part by part.
bench-floor: install
	$(BIN)/python -m benchmarks.server_floor --rows $(ROWS)

## Load the store API like 50 auto-refreshing portal tabs on real gunicorn (PostgreSQL; BENCH_API_ARGS=--sqlite ...).
bench-api: install
	$(BIN)/python -m benchmarks.bench_api $(BENCH_API_ARGS)

## Publish then unpublish all 300,000 products of one store, on PostgreSQL (a throw-away database) and SQLite; BENCH_PUBLISH_ARGS=--repeat 3 ...
bench-publish: install
	$(BIN)/python -m benchmarks.bench_publish $(BENCH_PUBLISH_ARGS)

## Feed sync: 2,000 stores due at once, two clusters on Redis and PostgreSQL, EXPLAIN at 10,000; BENCH_SYNC_ARGS=--stores 500 ...
bench-sync: install
	$(BIN)/python -m benchmarks.bench_sync $(BENCH_SYNC_ARGS)

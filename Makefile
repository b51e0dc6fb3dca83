# MentorHaven. Two commands matter: `make run` and `make test`. Both set everything up.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY = $(shell scripts/find-python)
MH := MENTORHAVEN_ENV=test $(BIN)/python -m pytest
PYTEST_ARGS ?=

.PHONY: run install dev test test-fast lint bench browser clean

$(BIN)/python:
	@py="$(PY)"; [ -n "$$py" ] || exit 1; echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

## make run: install, migrate, load the demo data, serve at http://localhost:8000 (passkeys need
## localhost, not 127.0.0.1) with the audit sealer, scheduler and task worker beside the web
## server (Ctrl-C stops them all). `make run DEMO=0` starts empty and prints a set-up token.
DEMO ?= 1
run: install
	$(BIN)/mentorhaven migrate --noinput
	@if [ "$(DEMO)" != "0" ]; then $(BIN)/mentorhaven demo; fi
	$(BIN)/mentorhaven run --host 127.0.0.1 --port 8000

## make test: the whole suite (browser tests included when Chromium is available)
test: dev browser
	$(MH) -n 2 --dist loadgroup $(PYTEST_ARGS)

test-fast: dev
	$(MH) -n 2 -m "not browser" $(PYTEST_ARGS)

## Debian's Chromium for the browser tests; installed when missing and we are root with apt.
browser:
	@scripts/ensure-chromium

lint: dev
	$(BIN)/ruff check mentorhaven tests benchmarks
	$(BIN)/ruff format --check mentorhaven tests benchmarks
	MENTORHAVEN_ENV=test $(BIN)/mypy mentorhaven

## make bench: every benchmark script, one JSON line each (needs PostgreSQL for some), then the
## report: var/bench/report.json and docs/performance.md (benchmarks/report.py)
bench: dev browser
	@mkdir -p var/bench && : > var/bench/lines.jsonl
	@for f in benchmarks/bench_*.py; do \
	  case $$f in */bench_settings.py|*/bench_urls.py) continue;; esac; \
	  MENTORHAVEN_ENV=test $(BIN)/python $$f | tee -a var/bench/lines.jsonl; \
	  [ $${PIPESTATUS[0]} -eq 0 ] || exit 1; \
	done
	$(BIN)/python benchmarks/report.py var/bench/lines.jsonl

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

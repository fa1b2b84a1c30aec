# 智能客服 — one Makefile sets everything up on a fresh machine.
#   make run    set up if needed, start crm_api + action server + Rasa, print the URLs
#   make test   set up if needed, run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# ---- Python 3.10: PYTHON310 override, then python3.10 on PATH, then pyenv ----------------
PYTHON310 ?= $(shell \
  for c in python3.10 "$$(pyenv prefix 3.10 2>/dev/null | head -1)/bin/python3.10" \
           "$$(PYENV_VERSION=3.10.13 pyenv which python3.10 2>/dev/null)" \
           /root/.pyenv/versions/3.10.*/bin/python3.10; do \
    if [ -n "$$c" ] && "$$c" -c 'import sys; assert sys.version_info[:2]==(3,10)' >/dev/null 2>&1; then \
      command -v "$$c" 2>/dev/null || echo "$$c"; break; fi; done)

BOT_VENV := .venv/bot
CRM_VENV := .venv/crm
BOT_PY := $(BOT_VENV)/bin/python
CRM_PY := $(CRM_VENV)/bin/python
RASA := PYTHONPATH=$(ROOT) $(BOT_VENV)/bin/rasa

# ---- configuration: defaults < var/secrets.env (generated) < .env < environment ----------
-include var/secrets.env
-include .env
export CRM_ENV ?= development
export CRM_DEMO_MODE ?= true
export CRM_HOST ?= 127.0.0.1
export CRM_PORT ?= 8000
export ACTION_PORT ?= 5055
export RASA_PORT ?= 5005
export CRM_DATABASE_URL ?= sqlite:///$(ROOT)/var/crm.db
export CRM_URL ?= http://127.0.0.1:$(CRM_PORT)
export CRM_PUBLIC_URL ?= $(CRM_URL)
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export RASA_URL ?= http://127.0.0.1:$(RASA_PORT)
export HANDOFF_SERVICE_HOURS ?= 08:00-22:00
export REDIS_URL ?=
export TRACKER_DIALECT ?= sqlite
export TRACKER_DB ?= $(ROOT)/var/tracker.db
export TRACKER_HOST ?=
export TRACKER_PORT ?=
export TRACKER_USER ?=
export TRACKER_PASSWORD ?=
export CRM_SERVICE_TOKEN APP_TOKEN_SECRET WEBCHAT_SECRET RASA_TOKEN
export PYTHONPATH := $(ROOT)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

# the Rasa domain: one file per flow, merged by Rasa (also spelled in trainer/project.py)
DOMAIN := domain
TRAIN_INPUTS := config.yml $(shell find $(DOMAIN) data bot/nlu bankkit -type f \( -name '*.yml' -o -name '*.txt' -o -name '*.py' \) 2>/dev/null | sort)

.PHONY: help setup run test test-crm test-bot test-stories test-e2e validate check-data inbox train shell bench lint clean python310 eval test-nlu

help:
	@echo "make run    — set up if needed and start the whole stack (prints the URLs)"
	@echo "make test   — set up if needed and run every test"
	@echo "make train  — retrain the Rasa model if its inputs changed"
	@echo "make shell  — chat with the bot in the terminal"
	@echo "make bench  — latency and throughput benchmarks"
	@echo "make check-data — rasa data validate + training-data quality report"

python310:
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "ERROR: no working Python 3.10 found. Rasa 3.6 needs Python 3.10."; \
	  echo "Install it (e.g. 'pyenv install 3.10.13') or run: make PYTHON310=/path/to/python3.10 ..."; \
	  exit 1; fi

$(BOT_VENV)/.installed: requirements/bot.txt pyproject.toml | python310
	@echo ">> creating $(BOT_VENV) with $(PYTHON310)"
	@[ -x $(BOT_PY) ] || $(PYTHON310) -m venv $(BOT_VENV)
	$(BOT_PY) -m pip install -q --disable-pip-version-check -r requirements/bot.txt
	@touch $@

$(CRM_VENV)/.installed: requirements/crm.txt pyproject.toml | python310
	@echo ">> creating $(CRM_VENV) with $(PYTHON310)"
	@[ -x $(CRM_PY) ] || $(PYTHON310) -m venv $(CRM_VENV)
	$(CRM_PY) -m pip install -q --disable-pip-version-check -r requirements/crm.txt
	@touch $@

var/secrets.env:
	@mkdir -p var
	@umask 077; { \
	  for k in CRM_SERVICE_TOKEN APP_TOKEN_SECRET WEBCHAT_SECRET RASA_TOKEN; do \
	    echo "$$k=$$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"; done; } > $@
	@echo ">> generated local secrets in $@ (not committed)"

setup: $(BOT_VENV)/.installed $(CRM_VENV)/.installed var/secrets.env

models/.trained: $(BOT_VENV)/.installed $(TRAIN_INPUTS)
	@mkdir -p models
	$(RASA) train --config config.yml --domain $(DOMAIN) --data data --out models --fixed-model-name bank-assistant
	@touch $@

train: models/.trained

var/.db-ready: $(CRM_VENV)/.installed var/secrets.env $(shell find crm_api/migrations -name '*.py' 2>/dev/null) crm_api/seed.py crm_api/seeding.py $(wildcard crm_api/*/seed*.py) crm_api/products/catalogue.yml
	$(CRM_PY) -m crm_api.manage migrate
	$(CRM_PY) -m crm_api.manage seed --if-empty
	@touch $@

run: setup models/.trained var/.db-ready
	$(CRM_PY) scripts/run_stack.py

shell: setup models/.trained var/.db-ready
	$(CRM_PY) scripts/run_stack.py --shell

validate: $(BOT_VENV)/.installed
	$(RASA) data validate --config config.yml --domain $(DOMAIN) --data data

# rasa data validate, then our data-quality report (trainer/checks/data.py): duplicates and
# conflicts, too few examples, non-canonical entity values, Traditional/full-width where
# the normaliser does not reach. Thresholds: scripts/check_data.py --help
check-data: validate
	$(BOT_PY) scripts/check_data.py

# the NLU inbox from a terminal: make inbox ARGS="sync" / "list --reason fallback" /
# "accept 12 --intent query_transactions --entity 4:7:time_period --as liuxunlian"
inbox: $(CRM_VENV)/.installed var/.db-ready
	$(CRM_PY) -m crm_api.manage inbox $(or $(ARGS),list)

test-crm: $(CRM_VENV)/.installed
	$(CRM_PY) -m pytest tests/crm_api tests/trainer/api tests/bankkit tests/test_architecture.py tests/test_docs.py -q

# (needs the model: saved review stories are replayed against it)
test-bot: $(BOT_VENV)/.installed models/.trained
	$(BOT_PY) -m pytest tests/bot tests/actions tests/trainer/rasa tests/bankkit -q

# NLU regression floor on the held-out set (tests/nlu), on the model `make train` built
test-nlu: models/.trained
	$(BOT_PY) -m pytest tests/nlu -q

# train our pipeline and two baselines on data/, report on tests/nlu -> reports/nlu_eval.*
eval: $(BOT_VENV)/.installed
	$(BOT_PY) scripts/eval_nlu.py

test-stories: models/.trained
	$(RASA) test core --model models/bank-assistant.tar.gz --stories tests/stories \
	  --fail-on-prediction-errors --out var/test-results/core

# Debian's Chromium and a CJK font for the browser tests (Playwright is never allowed to
# download a browser). Installed here when running as root, else one line says what to run.
.PHONY: browser
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	missing="$${missing# }"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "The browser tests need Debian's $$missing: run  sudo apt-get update && sudo apt-get install -y $$missing" >&2; \
	  exit 1; fi; \
	echo ">> installing $$missing for the browser tests"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq $$missing >/dev/null

test-e2e: setup browser models/.trained
	$(CRM_PY) -m pytest tests/e2e -q

test: setup browser
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory check-data
	$(MAKE) --no-print-directory test-crm
	$(MAKE) --no-print-directory test-bot
	$(MAKE) --no-print-directory test-nlu
	$(MAKE) --no-print-directory test-stories
	$(MAKE) --no-print-directory test-e2e

lint: setup
	$(CRM_VENV)/bin/ruff check bankkit crm_api trainer actions bot tests scripts
	$(CRM_VENV)/bin/ruff format --check bankkit crm_api trainer actions bot tests scripts
	$(CRM_VENV)/bin/mypy
	$(CRM_VENV)/bin/mypy --python-executable $(BOT_PY) actions

bench: setup models/.trained var/.db-ready
	$(CRM_PY) scripts/bench.py
	$(BOT_PY) scripts/bench_nlu.py
	$(CRM_PY) scripts/bench_dashboard.py

clean:
	rm -rf models var/test-results

.PHONY: eval-reco
eval-reco: $(CRM_VENV)/.installed
	$(CRM_PY) scripts/eval_reco.py

# multi-turn dialogue benchmark (tests/dialogues) on its own stack -> reports/dialogue_eval.*
.PHONY: eval-dialogue
eval-dialogue: setup models/.trained var/.db-ready
	$(CRM_PY) scripts/eval_dialogue.py $(ARGS)

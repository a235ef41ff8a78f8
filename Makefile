# Ankle Coach. `make run` to chat, `make test` for the whole release suite (CI runs exactly that).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
RASA        := $(VENV)/bin/rasa
SPACY_BASE  ?= blank:en
export RASA_PORT   ?= 5005
export ACTION_PORT ?= 5055
export WEB_PORT    ?= 8000
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# A health app sends no usage data anywhere.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup run serve cluster cluster-packages shell test browser lint unit validate conversations e2e cluster-test eval bench cluster-bench forget-old clean

help:
	@echo "make run     set up on first use (Python 3.10 venv, pinned deps, spaCy pipeline, training), then serve"
	@echo "make serve   serve an already set-up checkout (REST on :$(RASA_PORT), actions on :$(ACTION_PORT))"
	@echo "make cluster two Rasa servers behind HAProxy with PostgreSQL and Redis (installs them from Debian on first use)"
	@echo "make shell   chat in the terminal (needs make serve running in another terminal)"
	@echo "make test    everything a release must pass: lint, pytest, rasa data validate, conversation tests, end-to-end, cluster faults"
	@echo "make lint    ruff (lint and format) and mypy"
	@echo "make eval    NLU cross-validation, held-out intent results and red-flag recall/false alarms -> results/"
	@echo "make bench   latency, throughput and memory against the stock-Rasa baseline -> results/"
	@echo "make cluster-bench  throughput and p95 at 32 clients, one Rasa server against two -> results/"
	@echo "make forget-old  erase conversations quiet for longer than ANKLE_COACH_RETENTION_DAYS (default 30)"

# Heavy steps are cached on their inputs: the venv on (Python, requirements.txt) in ~/.cache,
# the model on a hash of everything that shapes it (scripts/ensure-model).
setup:
	@scripts/ensure-venv
	@scripts/ensure-web
	@$(PY) -m channels.widget_wording web/widget/wording.json
	@$(PY) -m coach.language build --base "$(SPACY_BASE)"
	@scripts/ensure-model

run: setup
	@scripts/serve

serve:
	@scripts/serve

cluster: setup cluster-packages
	@scripts/cluster

cluster-packages:
	@scripts/ensure-cluster-packages

shell:
	@$(PY) -m channels.terminal_chat

test: setup browser cluster-packages
	@rm -f results/junit-*.xml results/conversations/summary.json
	@$(MAKE) --no-print-directory lint unit validate conversations e2e cluster-test
	@scripts/test-summary

browser:
	@scripts/ensure-browser

# ruff (lint and format, settings in ruff.toml) on all Python; mypy on the plain-Python core and the actions.
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy coach actions

unit:
	@mkdir -p results
	$(PY) -m pytest -q tests/unit --junitxml=results/junit-unit.xml

validate:
	@scripts/validate

conversations:
	@scripts/conversation-tests

e2e:
	@mkdir -p results
	$(PY) -m pytest -q tests/e2e --junitxml=results/junit-e2e.xml

cluster-test:
	@mkdir -p results
	$(PY) -m pytest -q tests/cluster --junitxml=results/junit-cluster.xml

eval: setup
	@$(PY) -m evaluation.run_all

bench: setup
	$(PY) -m evaluation.bench

cluster-bench: setup cluster-packages
	$(PY) -m evaluation.cluster_bench

forget-old:
	@$(PY) -m serving.conversations --endpoints endpoints.yml

clean:
	rm -rf build models var results .pytest_cache

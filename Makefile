# Omnichannel member warehouse: every entry point. `make` (or `make help`) lists the targets.
# Needs only Python 3.11, pip, gcc and make; everything else is installed into .venv by `make env`.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ENV_STAMP := $(VENV)/.omniwh-env-stamp

# Demo data scale: tiny (~2k people), demo (~20k), bench100k, bench (1M). See `omniwh generate --help`.
SCALE ?= demo
BENCH_SCALE ?= bench100k

# dbt reads profiles.yml and dbt_project.yml from the repository; no telemetry leaves the machine.
export DBT_PROFILES_DIR := .
export DBT_PROJECT_DIR := .
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# Where the landing data and the warehouse live (override in the environment; see README.md).
export OMNI_LANDING_PATH ?= data/landing
export OMNI_TRUTH_PATH ?= data/truth
export OMNI_DUCKDB_PATH ?= data/warehouse.duckdb
export OMNI_DUCKDB_TEMP_DIR ?= data/duckdb_tmp
# The read-only snapshot BI reads, published after a green build (omniwh/serving.py).
export OMNI_SERVING_PATH ?= data/serving.duckdb

LANDING_MARKER = $(OMNI_LANDING_PATH)/.complete-$(SCALE)

.PHONY: help env data preflight build publish lint test bench clean distclean dagster freshness docs

help: ## List every target with a one-line description (default)
	@echo "usage: make <target> [SCALE=tiny|demo|bench100k|bench]"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

env: $(ENV_STAMP) ## Create .venv (python3.11) and install the pinned requirements and this package

# Re-runs only when requirements.txt or pyproject.toml change.
$(ENV_STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e . --no-deps
	@touch $@

# The generator writes only into a folder it created or that carries its marker (.omniwh-generated.json) and
# refuses one holding files it did not write. This step never deletes landing files or the warehouse: a
# warehouse built from other data must be removed with `make clean` first (it keeps every landing folder).
data: env ## Generate the demo landing data for SCALE (skipped when already generated; never over other files)
	@if [ -f "$(LANDING_MARKER)" ]; then \
		echo "landing data for scale '$(SCALE)' already in $(OMNI_LANDING_PATH) (delete $(LANDING_MARKER) to regenerate)"; \
	elif $(BIN)/python -m omniwh.generator.ownership warehouse-has-tables "$(OMNI_DUCKDB_PATH)"; then \
		echo "make data: refusing to generate: the warehouse $(OMNI_DUCKDB_PATH) was built from other data. Run" \
			"\`make clean\` first (it deletes the warehouse, never landing data), or point OMNI_LANDING_PATH at" \
			"the data it was built from (with its $(notdir $(LANDING_MARKER)) marker)." >&2; \
		exit 1; \
	else \
		$(BIN)/omniwh generate --scale $(SCALE) --landing $(OMNI_LANDING_PATH) --truth $(OMNI_TRUTH_PATH); \
		find "$(OMNI_LANDING_PATH)" -maxdepth 1 -name '.complete-*' -delete; \
		touch $(LANDING_MARKER); \
	fi

# Preflight: files dbt could not read (corrupt, empty, not UTF-8, missing contract columns) are moved to
# $(OMNI_LANDING_PATH)/_rejected/ and listed in its manifest.parquet (dbt model int_files_quarantined).
preflight: env data ## Landing check: every landing file against the contract; unreadable ones to _rejected/
	$(BIN)/python -m omniwh.landing_check --landing $(OMNI_LANDING_PATH) --quiet

# Unit tests run after the models: those of incremental models mock `this`, and dbt reads its columns from the
# built relation, which a fresh warehouse does not have yet. Every model and data test still runs first.
# A step that fails stops make, so only a green build (models, data and unit tests, GX suites) is published.
build: env data preflight ## Build and test the warehouse (dbt seed + build, GX), then publish the BI snapshot
	@mkdir -p $(dir $(OMNI_DUCKDB_PATH)) $(OMNI_DUCKDB_TEMP_DIR)
	@$(BIN)/python -m omniwh.warehouse_lock "$(OMNI_DUCKDB_PATH)"
	$(BIN)/dbt seed
	$(BIN)/dbt build --exclude-resource-type unit_test
	$(BIN)/dbt test --resource-type unit_test
	$(MAKE) quality
	$(MAKE) publish

publish: env ## Copy the marts of the built warehouse into the read-only BI snapshot (data/serving.duckdb)
	$(BIN)/python -m omniwh.serving publish

# sqlfluff's dbt templater renders in the main process and lints in the workers: 2 processes cut the lint of
# models/staging from 32 s to 19 s on the 2-core reference machine.
LINT_PROCESSES ?= 2
lint: env ## Lint SQL with sqlfluff (dbt templater) and Python with ruff
	@mkdir -p $(dir $(OMNI_DUCKDB_PATH)) $(OMNI_DUCKDB_TEMP_DIR)
	$(BIN)/sqlfluff lint --processes $(LINT_PROCESSES) models/ macros/ tests/ analyses/
	$(BIN)/ruff check omniwh pytests

# pytest on PYTEST_WORKERS processes (pytest-xdist; 0 = in this process): one worker per core of the 2-core
# reference machine; pytests/conftest.py keeps each test module, and every user of the shared built tiny
# warehouse, on one worker. At SCALE=demo the identity score (pytests/test_identity_eval.py) is taken on the
# demo warehouse just built from the generator's demo data, instead of generating and building them again.
PYTEST_WORKERS ?= 2
test: env data preflight lint ## Everything CI checks: lint, dbt build with all dbt tests, GX, publish, pytest
	@mkdir -p $(dir $(OMNI_DUCKDB_PATH)) $(OMNI_DUCKDB_TEMP_DIR)
	@$(BIN)/python -m omniwh.warehouse_lock "$(OMNI_DUCKDB_PATH)"
	$(BIN)/dbt build --exclude-resource-type unit_test
	$(BIN)/dbt test --resource-type unit_test
	$(MAKE) quality
	$(MAKE) publish
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster definitions validate -m omniwh.orchestration.definitions
	$(if $(filter demo,$(SCALE)),OMNI_IDENTITY_EVAL_DUCKDB=$(OMNI_DUCKDB_PATH) OMNI_IDENTITY_EVAL_TRUTH=$(OMNI_TRUTH_PATH)) \
		$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# Dagster (omniwh/orchestration/definitions.py): the UI on http://localhost:3000 with the daily job, its
# schedule and the landing sensor; run history and schedule state are kept in DAGSTER_HOME.
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
# dbt parses first, so Dagster's code server loads within its start-up timeout (raised to 10 min for slow,
# busy machines in a dagster.yaml written once).
dagster: env ## Start Dagster (dagster dev) on this project: daily job, schedule, sensor; UI on localhost:3000
	@mkdir -p $(DAGSTER_HOME) $(dir $(OMNI_DUCKDB_PATH)) $(OMNI_DUCKDB_TEMP_DIR)
	@test -f $(DAGSTER_HOME)/dagster.yaml || printf 'code_servers:\n  local_startup_timeout: 600\n' > $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dbt parse --quiet
	$(BIN)/dagster dev -m omniwh.orchestration.definitions $(if $(DAGSTER_PORT),-p $(DAGSTER_PORT))

# Source freshness: demo data end on the generator's last day, so they are judged as of the next morning
# (06:30 Asia/Shanghai = 22:30 UTC); landing data without the generator's marker are judged against now.
DEMO_AS_OF = $(shell $(BIN)/python -c 'from omniwh.generator.config import PERIOD_END; print(PERIOD_END)')
FRESHNESS_VARS = --vars "{freshness_reference_at: '$(DEMO_AS_OF) 22:30:00'}"
freshness: env ## dbt source freshness of every landing table (demo data: as of the demo's as-of date)
	$(BIN)/dbt source freshness $(if $(wildcard $(OMNI_LANDING_PATH)/.complete-*),$(FRESHNESS_VARS))

docs: env ## Generate and serve dbt's documentation site (lineage, models, exposures) on localhost:8080
	$(BIN)/dbt docs generate
	$(BIN)/dbt docs serve --port 8080

# Great Expectations suites (expectations/*.yml) on the built warehouse; run after dbt has released the file.
.PHONY: quality
quality: env ## Run the data-quality suites on the built warehouse; summary and Data Docs in gx_out/
	GX_ANALYTICS_ENABLED=false $(BIN)/python -m omniwh.quality.run --duckdb $(OMNI_DUCKDB_PATH) --out gx_out

# Benchmark (omniwh/bench.py): in data/bench/<scale>/, generate up to the period end minus BENCH_DAYS, time a
# full build, then BENCH_DAYS daily loads each with its incremental run; BENCH_COMPARE_SCALE (empty to skip) is
# run the same way first, for the scaling ratio. One table on stdout, the figures in bench_out/<timestamp>.json.
BENCH_DAYS ?= 3
BENCH_COMPARE_SCALE ?= tiny
bench: env ## Benchmark full build vs daily incremental runs at BENCH_SCALE (vs BENCH_COMPARE_SCALE); bench_out/
	$(BIN)/python -m omniwh.bench --scale $(BENCH_SCALE) --days $(BENCH_DAYS) --root data/bench --out bench_out \
		$(if $(BENCH_COMPARE_SCALE),--compare-scale $(BENCH_COMPARE_SCALE))

clean: ## Remove build output: target/, logs/, the warehouse, the BI and contacts snapshots, temp files (keeps landing data)
	rm -rf target logs dbt_packages bench_out $(OMNI_DUCKDB_TEMP_DIR)
	rm -f $(OMNI_DUCKDB_PATH) $(OMNI_DUCKDB_PATH).wal $(OMNI_SERVING_PATH) \
		$(basename $(OMNI_SERVING_PATH)).contacts.duckdb

distclean: clean ## Also remove all generated data (data/) and the virtualenv
	rm -rf data $(VENV)

# --- dashboard and semantic layer (omniwh/dashboard/, models/semantic/; README "Dashboard") ---------------
# ECharts comes from npm with `make env`; chromium-headless-shell and CJK fonts (Debian) are installed by
# `make test` as root when missing, for the dashboard's browser tests.
DASHBOARD_PORT ?= 8050
.PHONY: echarts browser dashboard
env: echarts
test: browser

echarts: ## Install ECharts for the dashboard from npm (pinned version and checksum; skipped when present)
	@bash scripts/fetch_echarts.sh

browser: ## Install chromium-headless-shell and CJK fonts (Debian, as root) for the dashboard's browser tests
	@bash scripts/setup_browser.sh

dashboard: env ## Generate the Chinese dashboard from the serving snapshot; serve it on 127.0.0.1:DASHBOARD_PORT
	$(BIN)/python -m omniwh.dashboard serve --port $(DASHBOARD_PORT)

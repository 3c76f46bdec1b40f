# estate: `make help` lists the targets. Every target installs into .venv first when needed.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ESTATE := $(BIN)/estate
ESTATE_FILE ?= lab/estates/demo.yaml
INVENTORY ?= .lab/inventory
CUSTOMER ?= all
# Against the lab's inventory, use the lab's credentials; any other inventory uses ESTATE_* from your environment.
LAB_CREDENTIALS = $(if $(filter .lab/inventory,$(INVENTORY)),{ test -f .lab/credentials.env || { echo "the lab is not running: make lab-up"; exit 3; }; } && source .lab/credentials.env &&)
TARGET ?=
STAMP := $(VENV)/.installed

.PHONY: help install demo test unit integration lint lab-up lab-down lab-status audit pre-upgrade upgrade inventory-check bench bench-10k replay replay-unsafe clean
.PHONY: backup onboard browser print-check fakenos-venv

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# estate's own packages, installed editable: pip compiles the bytecode of the packages it installs, never of these,
# and an interpreter run with PYTHONDONTWRITEBYTECODE (as some CI images are) then compiles ~90 modules from source
# at every start (~0.15 s of each run; bench/README.md). compileall writes what is missing or stale, once.
PACKAGES := tasks workflows reports lab

install: $(STAMP) ## create .venv and install estate with its dev tools (idempotent)
	@$(BIN)/python -m compileall -q -j 0 $(PACKAGES)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing estate into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install --upgrade pip > $(VENV)/install.log 2>&1 && \
	  $(BIN)/python -m pip install -e '.[dev]' >> $(VENV)/install.log 2>&1 || { tail -30 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

# The demo's target release per platform (a bare version goes to the platform whose releases list it).
DEMO_TARGETS ?= --target 10.2.4-h4 --target fortinet=7.4.8 --target cisco_ios=17.12.4 \
  --target 'cisco_nxos=10.4(5)' --target arista_eos=4.31.2F --target juniper_junos=23.2R1.13

DEMO_OUT ?= output

demo: install ## start the lab, audit the multi-vendor demo estate against target releases, write the reports, stop the lab
	@$(ESTATE) lab up --estate $(ESTATE_FILE) >/dev/null && source .lab/credentials.env && \
	  $(ESTATE) audit --customer all $(DEMO_TARGETS) --inventory $(INVENTORY) --out $(DEMO_OUT); rc=$$?; \
	  $(ESTATE) lab down >/dev/null; \
	  if [ $$rc -gt 2 ]; then exit $$rc; fi; \
	  echo "demo: done (audit exit code $$rc: 0 clean, 1 blockers found, 2 some devices unreachable)"; \
	  run=$$(ls -1d $(DEMO_OUT)/*-audit-all $(DEMO_OUT)/*-audit-all-[0-9]* 2>/dev/null | sort | tail -1); \
	  echo "report.html: $$run/report.html"; echo "report.xlsx: $$run/report.xlsx"

.PHONY: compliance
compliance: install ## start the lab, run compliance (rules in compliance/) on the demo estate, write the report, stop the lab
	@$(ESTATE) lab up --estate $(ESTATE_FILE) >/dev/null && source .lab/credentials.env && \
	  $(ESTATE) compliance --customer all --inventory $(INVENTORY); rc=$$?; \
	  $(ESTATE) lab down >/dev/null; \
	  if [ $$rc -le 2 ]; then echo "compliance: done (exit code $$rc: 0 compliant, 1 non-compliant devices, 2 some unreachable)"; else exit $$rc; fi

# pytest-xdist: one test process per core (at most 4), each test file whole on one of them (a file's lab is shared by
# its tests); most integration tests wait on the lab's replies, timeouts and reboots, so two processes on two cores
# take about half the time of one.
test: install browser fakenos-venv ## run unit and integration tests (the integration tests start their own lab)
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

# The report.html browser test drives Debian's chromium (never a browser download): installed here when we are root
# with apt-get, else one line says what is missing.
CHROMIUM := /usr/bin/chromium
APT_LOG := $${TMPDIR:-/tmp}/estate-chromium-apt.log

browser: ## headless Chromium for the browser test: Debian's chromium package (apt-get install as root)
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the report.html browser test (apt-get, log: $(APT_LOG))"; \
	    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium || { apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; } > $(APT_LOG) 2>&1 && test -x $(CHROMIUM) || \
	      { tail -5 $(APT_LOG); echo "browser: apt-get install chromium did not give $(CHROMIUM) (see $(APT_LOG))"; exit 1; }; \
	  else \
	    echo "browser: $(CHROMIUM) is missing: as root, apt-get install chromium (Debian's package; the browser test needs it)"; \
	    exit 1; \
	  fi; }

unit: install ## run the unit tests only (no sockets)
	$(BIN)/python -m pytest tests/unit tasks reports workflows

fakenos-venv: .venv-fakenos/.installed ## FakeNOS (PyPI fakenos pins paramiko<=4.0) in a venv of its own, for tests/integration/test_fakenos.py

.venv-fakenos/.installed:
	@{ test -x .venv-fakenos/bin/python || $(PYTHON) -m venv .venv-fakenos; } && .venv-fakenos/bin/python -m pip install -q 'fakenos==1.2.1' > /dev/null 2>&1 && touch $@ \
	  || echo "fakenos not installed: tests/integration/test_fakenos.py will be skipped"

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy scripts

lab-up: install ## start the lab in the background (ESTATE_FILE=…), write its inventory to .lab/inventory
	$(ESTATE) lab up --estate $(ESTATE_FILE)

lab-down: install ## stop the lab
	$(ESTATE) lab down

lab-status: install ## show what the lab serves
	$(ESTATE) lab status

audit: install ## audit optics: make audit CUSTOMER=acme-bank TARGET=10.2.4-h4 [INVENTORY=inventory] (default: the lab's)
	$(LAB_CREDENTIALS) $(ESTATE) audit --inventory $(INVENTORY) --customer $(CUSTOMER) $(if $(TARGET),--target $(TARGET))

pre-upgrade: install ## readiness, upgrade path, GO / NO-GO: make pre-upgrade CUSTOMER=acme-bank TARGET=10.2.4-h4
	$(LAB_CREDENTIALS) $(ESTATE) pre-upgrade --inventory $(INVENTORY) --customer $(CUSTOMER) --target $(TARGET) $(if $(VIA),--via $(VIA))

upgrade: install ## dry run of the upgrade of the GO devices (steps, waves): make upgrade CUSTOMER=acme-bank TARGET=10.2.4-h4
	$(LAB_CREDENTIALS) $(ESTATE) upgrade --inventory $(INVENTORY) --customer $(CUSTOMER) --target $(TARGET)

backup: install ## back up running configurations into backups/<customer>/ (git): make backup CUSTOMER=acme-bank [REPO_ROOT=DIR]
	$(LAB_CREDENTIALS) $(ESTATE) backup --inventory $(INVENTORY) --customer $(CUSTOMER) $(if $(REPO_ROOT),--repo-root $(REPO_ROOT))

# Onboarding writes into the real inventory by default (not the lab's), with ESTATE_* credentials from your environment.
ONBOARD_INVENTORY ?= inventory

onboard: install ## a new customer from its list: make onboard CUSTOMER=newco SOURCE=list.csv [TARGET=10.2.4-h4] [DRY_RUN=1]
	$(ESTATE) onboard --inventory $(ONBOARD_INVENTORY) --customer $(CUSTOMER) --source $(SOURCE) $(if $(TARGET),--target $(TARGET)) $(if $(DRY_RUN),--dry-run)

inventory-check: install ## validate the inventory: make inventory-check [INVENTORY=inventory]
	$(ESTATE) inventory check --inventory $(INVENTORY)

bench: install ## benchmark: 1,000 lab devices at 200 ms, estate vs Nornir defaults vs a sequential netmiko loop
	$(BIN)/python bench/bench_audit.py --devices 1000 --latency-ms 200

bench-10k: install ## benchmark: 10,000 lab devices (2 lab processes), Nornir defaults over 1,000 of them
	$(BIN)/python bench/bench_audit.py --devices 10000 --latency-ms 200 --lab-processes 2 --nornir-devices 1000

print-check: install ## the demo's workbooks through LibreOffice (installs it as root): fails when a Summary prints on more than 2 pages
	$(BIN)/python scripts/print_check.py $(DEMO_TARGETS)

# The story on the lab (scripts/replay.py): REPLAY_ARGS adds its options, e.g. REPLAY_ARGS='--customer acme-bank'.
REPLAY_ARGS ?=

replay: install ## the story on the demo estate's lab: pre-upgrade, upgrade --execute, post-upgrade to 10.2.4-h4; 0 boot-looped (< 5 min)
	$(BIN)/python scripts/replay.py $(REPLAY_ARGS)

replay-unsafe: install ## the same upgrade --force on the held-back devices: they boot-loop; then lab ctl replace-optics
	$(BIN)/python scripts/replay.py --unsafe $(REPLAY_ARGS)

# gitlab-ci-local, pinned in .ci/package.json and .ci/package-lock.json, installed into .ci/node_modules (git-ignored).
GITLAB_CI_LOCAL := .ci/node_modules/.bin/gitlab-ci-local

$(GITLAB_CI_LOCAL): .ci/package.json .ci/package-lock.json
	npm ci --prefix .ci --no-audit --no-fund --loglevel=error && touch $(GITLAB_CI_LOCAL)

.PHONY: ci-local
ci-local: install $(GITLAB_CI_LOCAL) ## run .gitlab-ci.yml's sharded audit and merge with gitlab-ci-local against the lab; merged = one run (~3 min)
	$(BIN)/python scripts/ci_local.py

clean: ## remove the venv, run folders and lab state
	-$(ESTATE) lab down 2>/dev/null
	rm -rf $(VENV) output .lab .ci/node_modules .gitlab-ci-local .pytest_cache .mypy_cache .ruff_cache *.egg-info

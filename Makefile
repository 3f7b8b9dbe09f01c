# hardened.ftp developer entry points. The README's two commands: `make demo` and `make test`.
# Fast targets for iterating: `make unit`, `make lint`, `make molecule SCENARIO=vsftpd`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath .)
VENV ?= $(ROOT)/.venv
BIN := $(VENV)/bin
TMP := $(ROOT)/.tmp
# The repository is the collection; ansible finds it as hardened.ftp through this link.
COLLECTIONS := $(TMP)/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/hardened/ftp
SUITES ?= bookworm trixie bullseye
SCENARIOS := $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))
SCENARIO ?= $(SCENARIOS)

export PATH := $(BIN):$(PATH)
export CONTAINERS_CONF := $(ROOT)/testbed/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_PIPELINING := true
export ANSIBLE_FORCE_COLOR ?= true
export PY_COLORS ?= 1

.PHONY: help demo demo-clean test lint sanity unit controllers molecule images host venv link build build-check clean \
	docs diagrams changelog ee-context bench

help:
	@echo "make demo      provision a local container as a hardened FTP server and download from it"
	@echo "make test      the whole suite: lint, ansible-test sanity, unit tests, every molecule scenario"
	@echo "make unit      unit tests only (seconds)"
	@echo "make controllers  site.yml on a bare container under each claimed ansible-core, with only the declared collections"
	@echo "               (CONTROLLERS=2.16,2.19 for some; 4-8 min on 2 cores; venvs and downloads are cached)"
	@echo "make lint      ansible-lint (production), yamllint, ruff, argument_specs checks"
	@echo "make sanity    ansible-test sanity on a temporary ansible_collections/hardened/ftp tree"
	@echo "make molecule SCENARIO=vsftpd   one molecule scenario (default: all: $(SCENARIOS))"
	@echo "make build     ansible-galaxy collection build into .tmp/dist (make build-check: and check it)"
	@echo "make docs      regenerate docs/reference/ and the role READMEs' tables (make lint checks them)"
	@echo "make diagrams  re-render docs/diagrams/*.puml to SVG and PNG (needs plantuml: apt-get install plantuml)"
	@echo "make changelog regenerate CHANGELOG.md from changelogs/fragments (antsibull-changelog)"
	@echo "make bench     benchmarks: shell floor, first and second run, audit, fleet of 1/5/10, plugins (bench/README.md)"
	@echo "               e.g. make bench BENCH_ARGS='--repeat 1 --fleet 1,2' for a quick run"
	@echo "make ee-context  build the collection and write the execution environment's build context to .tmp/ee"

$(BIN)/activate: requirements-dev.txt
	@echo "[venv] creating $(VENV) with the pinned tools (first time: about two minutes)"
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(BIN)/activate

$(COLLECTION_LINK):
	@mkdir -p $(dir $@)
	@ln -sfn $(ROOT) $@

link: $(COLLECTION_LINK)

host:
	@bash testbed/setup-host.sh

images: host
	@bash testbed/build-image.sh $(SUITES)

demo: venv link host
	@bash testbed/build-image.sh bookworm
	@bash testbed/demo.sh

demo-clean:
	podman rm -f hardened-ftp-demo

test: lint sanity unit controllers build-check molecule
	@echo "[test] all passed"

lint: venv link
	yamllint --strict .
	@# ansible-lint looks in (and, online, installs into) ANSIBLE_HOME/collections: keep it inside .tmp, so
	@# nothing in ~/.ansible is read or written.
	ANSIBLE_HOME=$(TMP)/ansible-home ansible-lint --profile production
	ruff check .
	ruff format --check .
	python3 tests/argspec_check.py
	python3 tests/docs_reference.py --check
	python3 tests/inventory_check.py
	python3 tests/dependencies_check.py
	python3 tests/tools_check.py
	antsibull-changelog lint

sanity: venv host
	@bash tests/sanity/run.sh

unit: venv link
	cd $(ROOT) && PYTHONPATH=$(COLLECTIONS) python -m pytest tests/unit -q

# ansible-core alone per claimed version (.tmp/controllers/<ver>/venv) and only the declared
# collections, copied from the matching community package; one bare bookworm container each (tb-ctl-*).
CONTROLLERS ?=
CONTROLLERS_ARGS ?=
controllers: venv link host
	@bash testbed/build-image.sh $${CONTROLLERS_SUITE:-bookworm}
	python3 tests/controllers/run.py $(if $(CONTROLLERS),--versions $(CONTROLLERS)) $(CONTROLLERS_ARGS)

# MOLECULE_JOBS=2 runs two scenarios at a time (each logs to .tmp/molecule/<scenario>.log).
MOLECULE_JOBS ?= 1
molecule: venv link images
	@MOLECULE_JOBS=$(MOLECULE_JOBS) bash testbed/molecule-all.sh $(SCENARIO)

build: venv
	@mkdir -p $(TMP)/dist
	ansible-galaxy collection build --force --output-path $(TMP)/dist

build-check: venv
	@bash tests/build_check.sh

docs: venv link
	python3 tests/argspec_check.py --fix
	python3 tests/docs_reference.py

# The renderer is not part of `make test`: the rendered images are checked in next to their sources.
diagrams:
	@command -v plantuml >/dev/null || { echo "plantuml is missing: apt-get install plantuml" >&2; exit 1; }
	cd docs/diagrams && plantuml -tsvg -nometadata *.puml && plantuml -tpng -nometadata *.puml

# 1.0.0 is not published yet: its entry is rebuilt from every fragment (they are kept, see
# changelogs/config.yaml). After the first publication, use `antsibull-changelog release` alone.
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
changelog: venv
	printf -- '---\nancestor: null\nreleases: {}\n' > changelogs/changelog.yaml
	antsibull-changelog release --reload-plugins --version $(VERSION)

ee-context: build
	@command -v ansible-builder >/dev/null || { echo "ansible-builder is missing: pip install ansible-builder" >&2; exit 1; }
	cp $(TMP)/dist/hardened-ftp-$(VERSION).tar.gz $(TMP)/dist/hardened-ftp.tar.gz
	ansible-builder create -f execution-environment.yml --context $(TMP)/ee
	@echo "[ee] build context in $(TMP)/ee; build it with: ansible-builder build -f execution-environment.yml --context $(TMP)/ee -t hardened-ftp-ee:$(VERSION)"

# Takes 15-60 min on 2 cores (it depends on the machine and its load) with the defaults
# (--repeat 3 --fleet 1,5,10); writes bench/results/ and bench/RESULTS.md. Containers bench-*, network hardened-ftp-bench, removed at the end.
BENCH_ARGS ?=
bench: venv link host
	@bash testbed/build-image.sh bookworm
	python3 bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(TMP) .pytest_cache .ruff_cache

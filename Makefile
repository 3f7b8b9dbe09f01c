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
# The longest scenarios first, so that parallel jobs end together; any other scenario after them.
LONGEST_FIRST := pureftpd vsftpd firewall firewalld proftpd resilience
SCENARIO ?= $(filter $(SCENARIOS),$(LONGEST_FIRST)) $(filter-out $(LONGEST_FIRST),$(SCENARIOS))

export PATH := $(BIN):$(PATH)
export CONTAINERS_CONF := $(ROOT)/testbed/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_PIPELINING := true
export ANSIBLE_FORCE_COLOR ?= true
export PY_COLORS ?= 1

# The publisher's tools (galaxy-importer, antsibull-docs + Sphinx, ansible-builder, ansible-navigator,
# ansible-runner), pinned in tests/ecosystem/requirements.txt, in their own venv: their pins (flake8<7,
# attrs<24, docutils<0.23) would move what requirements-dev.txt's tools run with.
ECO_VENV := $(TMP)/eco-venv
ECO_BIN := $(ECO_VENV)/bin
# make lint runs every tool with a stand-in HOME and TMPDIR, and tests/home_check.py fails on whatever
# lands there: so nothing is written to ~/.ansible, ~/.cache or /tmp by a lint run.
LINT_HOME := $(TMP)/lint-home
LINT_TMP := $(TMP)/lint-tmp
LINT_ENV := env HOME=$(LINT_HOME) TMPDIR=$(LINT_TMP) XDG_CACHE_HOME=$(TMP)/cache ANSIBLE_HOME=$(TMP)/ansible-home
ANTSIBULL := $(ECO_BIN)/antsibull-docs --config-file tests/ecosystem/antsibull.cfg

.PHONY: help demo demo-clean test lint sanity unit controllers molecule images host venv link build build-check clean \
	docs diagrams changelog ee-context bench eco-venv ee-base ee ee-test docsite

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
	@echo "make ee        build the execution environment $(EE_IMAGE) offline: base image by debootstrap, ansible-builder"
	@echo "make ee-test   the demo's converge, a second run and the audit through ansible-navigator in that image (in make test; a cached image is reused)"
	@echo "make docsite   the antsibull-docs Sphinx site of the collection into .tmp/docsite/build/html"

$(BIN)/activate: requirements-dev.txt
	@echo "[venv] creating $(VENV) with the pinned tools (first time: about two minutes)"
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(BIN)/activate

$(ECO_BIN)/.installed: tests/ecosystem/requirements.txt
	@echo "[eco-venv] creating $(ECO_VENV) with the publisher's tools (first time: about a minute)"
	python3 -m venv $(ECO_VENV)
	$(ECO_BIN)/pip install --quiet --upgrade pip
	$(ECO_BIN)/pip install --quiet -r tests/ecosystem/requirements.txt
	@touch $@

eco-venv: $(ECO_BIN)/.installed

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

test: lint docsite sanity unit controllers build-check ee-test molecule
	@echo "[test] all passed"

lint: venv link eco-venv
	@rm -rf $(LINT_HOME) $(LINT_TMP) && mkdir -p $(LINT_HOME) $(LINT_TMP)
	$(LINT_ENV) yamllint --strict .
	@# offline (.ansible-lint): nothing is installed; ANSIBLE_HOME keeps its mocks and cache in .tmp.
	$(LINT_ENV) ansible-lint --profile production
	@# ansible-lint leaves these project playbooks out (they cannot resolve in Galaxy's importer): load them here.
	@for p in docs/examples/navigator/*.yml; do grep -q import_playbook $$p || continue; \
	  $(LINT_ENV) ansible-playbook -i localhost, --syntax-check $$p >/dev/null || { echo "[lint] $$p does not load" >&2; exit 1; }; \
	done; echo "[lint] docs/examples/navigator: every playbook loads (ansible-playbook --syntax-check)"
	$(LINT_ENV) ruff check .
	$(LINT_ENV) ruff format --check .
	@# Galaxy's importer runs flake8 on every plugin with its own flags (build-check fails on what it logs): the same run here, seconds into make lint.
	$(LINT_ENV) $(ECO_BIN)/flake8 $$($(ECO_BIN)/python -c 'from galaxy_importer import constants as c; print("--isolated --extend-ignore", c.FLAKE8_IGNORE_ERRORS, "--select", c.FLAKE8_SELECT_ERRORS, "--max-line-length", c.FLAKE8_MAX_LINE_LENGTH)') plugins && echo "[lint] flake8 with galaxy-importer's flags: no warnings"
	$(LINT_ENV) python3 tests/argspec_check.py
	$(LINT_ENV) python3 tests/docs_reference.py --check
	$(LINT_ENV) python3 tests/inventory_check.py
	$(LINT_ENV) python3 tests/dependencies_check.py
	$(LINT_ENV) python3 tests/tools_check.py
	$(LINT_ENV) antsibull-changelog lint
	@# The plugins' and roles' documentation as docs.ansible.com and the docsite render it (markup, references).
	$(LINT_ENV) $(ANTSIBULL) lint-collection-docs --plugin-docs $(COLLECTION_LINK) && echo "[lint] antsibull-docs lint-collection-docs --plugin-docs: no errors"
	python3 tests/home_check.py --home $(LINT_HOME) --tmp $(LINT_TMP)

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

# MOLECULE_JOBS=2 runs two scenarios at a time (each logs to .tmp/molecule/<scenario>.log); the
# whole suite (make test) does, one scenario per core.
MOLECULE_JOBS ?= 1
test: MOLECULE_JOBS = 2
molecule: venv link images
	@MOLECULE_JOBS=$(MOLECULE_JOBS) bash testbed/molecule-all.sh $(SCENARIO)

build: venv
	@mkdir -p $(TMP)/dist
	ansible-galaxy collection build --force --output-path $(TMP)/dist

build-check: venv eco-venv
	@ECO_BIN=$(ECO_BIN) bash tests/build_check.sh

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

# For a builder with a Galaxy server: execution-environment.yml as it is.
ee-context: build eco-venv
	cp $(TMP)/dist/hardened-ftp-$(VERSION).tar.gz $(TMP)/dist/hardened-ftp.tar.gz
	$(ECO_BIN)/ansible-builder create -f execution-environment.yml --context $(TMP)/ee
	@echo "[ee] build context in $(TMP)/ee; build it with: ansible-builder build -f execution-environment.yml --context $(TMP)/ee -t hardened-ftp-ee:$(VERSION)"

# The execution environment, built here without a registry or a Galaxy server: the base image by
# debootstrap (tests/ee/build-base.sh), the dependencies from the pinned `ansible` package
# (tests/ee/offline_definition.py), then ansible-builder with podman. ee-test runs it (tests/ee/run.sh).
EE_BASE_IMAGE ?= localhost/hardened-ftp-ee-base:bookworm
EE_IMAGE ?= localhost/hardened-ftp-ee:$(VERSION)
ee-base: host
	@bash tests/ee/build-base.sh $(EE_BASE_IMAGE)

# The image carries its build context's digest (tests/ee/offline_definition.py): a build whose image
# already has it is skipped (EE_REBUILD=1 forces one), any change to what goes in rebuilds.
EE_REBUILD ?= 0
ee: build eco-venv ee-base
	cp $(TMP)/dist/hardened-ftp-$(VERSION).tar.gz $(TMP)/dist/hardened-ftp.tar.gz
	@digest="$$($(ECO_BIN)/python tests/ee/offline_definition.py --digest --tarball $(TMP)/dist/hardened-ftp.tar.gz \
	  --base-image $(EE_BASE_IMAGE))"; \
	have="$$(podman image inspect --format '{{ index .Labels "org.hardened-ftp.ee.context" }}' $(EE_IMAGE) 2>/dev/null || true)"; \
	if [ "$(EE_REBUILD)" != 1 ] && [ "$$have" = "$$digest" ]; then \
	  echo "[ee] $(EE_IMAGE): cached, its build context is unchanged ($${digest:0:12}); EE_REBUILD=1 rebuilds it"; exit 0; fi; \
	rm -rf $(TMP)/ee-build; \
	$(ECO_BIN)/python tests/ee/offline_definition.py --out $(TMP)/ee-build --tarball $(TMP)/dist/hardened-ftp.tar.gz \
	  --base-image $(EE_BASE_IMAGE); \
	start=$$SECONDS; \
	$(ECO_BIN)/ansible-builder build -f $(TMP)/ee-build/execution-environment.yml --context $(TMP)/ee-build/context \
	  --container-runtime podman -t $(EE_IMAGE) -v 1 > $(TMP)/ee-build/build.log 2>&1 \
	  || { tail -n 40 $(TMP)/ee-build/build.log >&2; echo "[ee] ansible-builder build failed (log: $(TMP)/ee-build/build.log)" >&2; exit 1; }; \
	echo "[ee] $(EE_IMAGE): built in $$((SECONDS - start)) s, $$(podman image inspect --format '{{.Size}}' $(EE_IMAGE) | awk '{printf "%.0f MB", $$1/1e6}'), context $${digest:0:12}"; \
	podman run --rm $(EE_IMAGE) ansible-galaxy collection list 2>/dev/null | grep -E '^(hardened\.ftp|community\.(general|crypto)) ' | sed 's/^/[ee]   /'

ee-test: venv link host eco-venv
	@bash testbed/build-image.sh bookworm
	@$(MAKE) --no-print-directory ee
	@ECO_BIN=$(ECO_BIN) bash tests/ee/run.sh $(EE_IMAGE)

# The collection's docs site (antsibull-docs + Sphinx), from the same sources as docs/reference/: the
# plugins' DOCUMENTATION and the roles' argument specs, read through ansible-doc.
docsite: venv link eco-venv
	@rm -rf $(TMP)/docsite $(LINT_HOME) $(LINT_TMP) && mkdir -p $(TMP)/docsite $(LINT_HOME) $(LINT_TMP)
	$(LINT_ENV) $(ECO_BIN)/antsibull-docs --config-file tests/ecosystem/antsibull.cfg sphinx-init --use-current --squash-hierarchy \
	  --dest-dir $(TMP)/docsite hardened.ftp > /dev/null
	cat tests/ecosystem/docsite_conf.py >> $(TMP)/docsite/conf.py
	@# build.sh runs antsibull-docs with this file: our logging settings, so nothing goes to ~/antsibull.log.
	cat tests/ecosystem/antsibull.cfg >> $(TMP)/docsite/antsibull-docs.cfg
	cd $(TMP)/docsite && $(LINT_ENV) PATH=$(ECO_BIN):$$PATH ./build.sh > build.log 2>&1 \
	  || { tail -n 30 build.log >&2; echo "[docsite] the build failed (log: $(TMP)/docsite/build.log)" >&2; exit 1; }
	@! grep -E 'WARNING|ERROR' $(TMP)/docsite/build.log || { echo "[docsite] Sphinx reported the warnings above" >&2; exit 1; }
	python3 tests/docs_reference.py --docsite $(TMP)/docsite/build/html
	python3 tests/home_check.py --home $(LINT_HOME) --tmp $(LINT_TMP)
	@echo "[docsite] $(TMP)/docsite/build/html/index.html ($$(find $(TMP)/docsite/build/html -name '*.html' | wc -l) pages)"

# Takes 15-60 min on 2 cores (it depends on the machine and its load) with the defaults
# (--repeat 3 --fleet 1,5,10); writes bench/results/ and bench/RESULTS.md. Containers bench-*, network hardened-ftp-bench, removed at the end.
BENCH_ARGS ?=
bench: venv link host
	@bash testbed/build-image.sh bookworm
	python3 bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(TMP) .pytest_cache .ruff_cache

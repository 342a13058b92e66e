# Course site for module 9.2.2. `make html` builds it, `make test` checks it.
# Every target creates or updates the virtual environment in .venv first.

PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
SPHINXOPTS ?= -W --keep-going
BUILD      := _build
SPHINX     := $(BIN)/sphinx-build -c . $(SPHINXOPTS)

.PHONY: help html test lint linkcheck bench serve clean venv test-venv lock

help:
	@echo "make html       build the site into $(BUILD)/html (runs the figure scripts whose inputs changed)"
	@echo "make test       build, then run lint and the test suite (link check included)"
	@echo "make lint       ruff on the Python code, sphinx-lint on the pages, ESLint on the JavaScript"
	@echo "make linkcheck  check every internal link and anchor of the built site (no network)"
	@echo "make bench      print speed ratios, build times, page weights and Lighthouse scores"
	@echo "make serve      live-reloading preview on http://127.0.0.1:8000"
	@echo "make clean      remove every generated file"
	@echo "make lock       pin the newest allowed versions of every package again (constraints.txt)"

# The venv is rebuilt when a requirements file changes; the stamp files record success.
# requirements*.txt name the packages the project uses; constraints.txt pins every package
# installed with them, direct or not, so that a build next year installs the same versions.
# pip installs only uv (pinned there too), which installs the rest: in about 13 s with a cold
# cache, where pip took about 40 s; it writes the bytecode at once, as pip does, so that no
# later run compiles the packages' sources again.
PIP_INSTALL = $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
UV_INSTALL  = $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt
$(VENV)/.requirements: requirements.txt constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or newer, or run make PYTHON=/path/to/python3"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "error: could not create $(VENV) with $(PYTHON) -m venv (on Debian: apt-get install python3-venv)"; exit 1; }
	@{ $(PIP_INSTALL) uv && $(UV_INSTALL) -r requirements.txt; } || { echo "error: installing requirements.txt into $(VENV) failed; see the installer's message above"; exit 1; }
	@touch $@

$(VENV)/.requirements-test: $(VENV)/.requirements requirements-test.txt constraints.txt
	@$(UV_INSTALL) -r requirements-test.txt || { echo "error: installing requirements-test.txt into $(VENV) failed; see uv's message above"; exit 1; }
	@touch $@

venv: $(VENV)/.requirements
test-venv: $(VENV)/.requirements-test

# Writes constraints.txt again from a new venv holding the newest versions requirements*.txt
# allow (then run make test and commit constraints.txt with what changed).
LOCK_VENV := $(BUILD)/lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -r requirements-test.txt uv
	{ echo "# Every package make html and make test install, with its version (written by make lock)."; \
	  $(LOCK_VENV)/bin/python -m pip freeze; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

# coursesite.build runs Sphinx beside the published site ($(BUILD)/html.next) and swaps the two when the
# build succeeds: a failed or interrupted build leaves $(BUILD)/html as it was.
# The figure scripts of each gallery section run in FIGURE_JOBS processes (one per core here);
# the number changes no page, so another number rebuilds nothing. Sphinx reads and writes the
# pages in PAGE_JOBS processes (its -j; with 2, one process writes pages while the build's own
# prepares the next ones).
FIGURE_JOBS ?= 2
PAGE_JOBS ?= 2
html: venv
	@command -v node >/dev/null 2>&1 || { echo "error: node not found; the formulas are typeset by KaTeX with Node.js at build time (on Debian: apt-get install nodejs)"; exit 1; }
	$(BIN)/python -m coursesite.build -c . $(SPHINXOPTS) -j $(PAGE_JOBS) --figure-jobs $(FIGURE_JOBS) -b html docs $(BUILD)/html

# Sphinx's linkcheck builder would check nothing here (conf.py ignores every external link
# and it does not follow internal ones); tests/test_links.py checks every link of the built
# pages, and `make test` runs it with the rest of the suite.
linkcheck: html test-venv
	$(BIN)/python -m pytest -q tests/test_links.py

# The JavaScript tools (ESLint; puppeteer-core, which drives Firefox in the engine tests) come from
# npm into ./node_modules, pinned by package-lock.json; after that, lint and tests need no network.
NODE_TOOLS := node_modules/.installed
$(NODE_TOOLS): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found; ESLint comes from npm (on Debian: apt-get install npm)"; exit 1; }
	@PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --silent || { echo "error: npm ci failed; see npm's message above"; exit 1; }
	@touch $@

lint: test-venv $(NODE_TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sphinx-lint docs scripts/GALLERY_HEADER.rst
	node_modules/.bin/eslint .

# The browser tests need a Chromium; tests/chromium.py says in one line how to get one
# (SKIP_BROWSER_TESTS=1 skips them on purpose). The tests run in TEST_WORKERS processes
# (pytest-xdist; auto: one per core, the fastest on these 2-core machines, where a third
# process only added CPU time); tests marked with one xdist_group run in the same process.
# A clean build of a scratch copy, which tests/test_build_cache.py compares with the site's own
# build, starts first and runs beside that build (tests/support/clean_build.py); the two take a
# core each, so each runs its figure scripts in one process. The test packages (pip) and the
# JavaScript tools (npm), which the build does not use, are installed while the two build.
TEST_WORKERS ?= auto
test: venv
	@$(BIN)/python tests/chromium.py
	@$(BIN)/python tests/support/clean_build.py start
	@$(MAKE) --no-print-directory -j 3 html test-venv $(NODE_TOOLS) FIGURE_JOBS=1 PAGE_JOBS=1
	@$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Lighthouse comes from npm into ./node_modules when npm is there; without it its scores are skipped.
bench: html test-venv
	@if command -v npm >/dev/null 2>&1; then \
		test -x node_modules/.bin/lighthouse || npm install --no-save --no-audit --no-fund --silent lighthouse@13.5.0 \
		|| echo "note: npm could not install lighthouse; its scores are skipped"; \
	else echo "note: npm not found; Lighthouse scores are skipped"; fi
	$(BIN)/python benchmarks/run.py

serve: venv
	$(BIN)/sphinx-autobuild -c . --host 127.0.0.1 --port 8000 \
		--ignore "*/auto_examples/*" --ignore "*/_generated/*" --ignore "*/sg_execution_times.rst" \
		--watch convviz --watch scripts --watch downloads docs $(BUILD)/html

clean:
	$(PYTHON) coursesite/paths.py | xargs rm -rf
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

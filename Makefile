# actlab course: `make lab` to learn, `make test` to check everything.
# A fresh machine needs only make and Python 3.11, 3.12 or 3.13 (the versions with
# final TensorFlow wheels; etc/setup_check.py says so otherwise): `setup` builds .venv.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.actlab-installed
# `make test-oldest`: the unit tests on the floor of every dependency (constraints/oldest.txt).
OLDEST_VENV  ?= .venv-oldest
OLDEST_STAMP := $(OLDEST_VENV)/.actlab-oldest-installed
# JupyterLab setting defaults for this venv's JupyterLab: no news, no update checks
# (JupyterLab reads every overrides.d/*.json of its app settings folder).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/actlab.json
# What `make setup` installs: actlab, TensorFlow for the CPU (extra `cpu`: one TensorFlow,
# never two) and the test tools (extra `dev`). The heavy packages as wheels only.
SETUP_REQS := -e ".[cpu,dev]"
BINARY_ONLY := --only-binary tensorflow,tensorflow-cpu,numpy,scipy,scikit-learn,matplotlib
# The offline kit: when wheelhouse/ holds a manifest, setup installs from it, no index.
WHEELHOUSE := $(wildcard wheelhouse/manifest.json)
PIP_SOURCE := $(if $(WHEELHOUSE),--no-index --find-links wheelhouse,)
# JupyterLab refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT   ?= 8888
LAB_ARGS ?=

export KERAS_BACKEND := tensorflow
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONHASHSEED := 0
# Never download a browser of Playwright's own: we drive the system chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: setup lab test test-unit test-notebooks test-oldest lint bench clean help wheelhouse \
	book test-workshop

help:
	@echo "make lab    - set up (first time) and open the course in JupyterLab"
	@echo "make test   - set up, then run unit tests and execute every notebook"
	@echo "make test-oldest - the unit tests on the oldest supported versions (.venv-oldest)"
	@echo "make lint   - ruff on actlab, tests, bench and notebooks"
	@echo "make bench  - measure notebook times, slider latency, probe/surgery speed"
	@echo "make wheelhouse - (online) download an offline install kit into wheelhouse/"
	@echo "make book   - execute every notebook and write a static HTML copy to build/book/"
	@echo "make test-workshop - the kit end to end: offline install from wheelhouse/, the book"
	@echo "make clean  - remove the virtual environment and caches"

setup: $(STAMP) $(LAB_OVERRIDES)

# Re-runs when pyproject.toml changes; otherwise a no-op (works offline).
# A Python without final TensorFlow wheels stops here with the versions that work.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { $(PYTHON) etc/setup_check.py python && $(PYTHON) -m venv $(VENV); }
	$(if $(WHEELHOUSE),@$(BIN)/python tools/wheelhouse.py verify wheelhouse)
	$(BIN)/python -m pip install --quiet $(PIP_SOURCE) --upgrade pip
	$(BIN)/python -m pip install $(PIP_SOURCE) --progress-bar off $(BINARY_ONLY) $(SETUP_REQS) > $(VENV)/pip-install.log 2>&1 \
		|| { tail -40 $(VENV)/pip-install.log; echo "setup: pip install failed (full log: $(VENV)/pip-install.log)"; exit 1; }
	@$(BIN)/python etc/setup_check.py installed
	$(if $(WHEELHOUSE),@$(BIN)/python tools/wheelhouse.py install-mnist wheelhouse)
	@touch $(STAMP)
	@echo "actlab environment ready in $(VENV)"

$(LAB_OVERRIDES): etc/jupyterlab/actlab.json $(STAMP)
	@mkdir -p $(dir $@)
	@cp etc/jupyterlab/actlab.json $@
	@echo "JupyterLab news and update checks off ($@)"

# Online, once: every wheel `make setup` installs, for this Python and platform, at
# the versions in .venv, with a manifest (sha256) and a cached real MNIST when there is one.
wheelhouse: setup
	$(BIN)/python tools/wheelhouse.py download --dest wheelhouse -- $(SETUP_REQS)

# Every notebook executed (fresh kernel, offline), rendered to build/book/index.html.
book: setup
	$(BIN)/python tools/build_book.py --out build/book

# 127.0.0.1 only, token authentication on (JupyterLab's default: the URL it
# prints carries the token). The URL opens the first notebook, in a browser
# tab or when pasted.
lab: setup
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=notebooks \
		--LabApp.default_url=/lab/tree/00_start_here.ipynb \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$(ROOT_FLAG) $(LAB_ARGS)

test: setup test-unit test-notebooks

test-unit: setup
	$(BIN)/python -m pytest tests

# nbval: run each notebook top to bottom in a fresh kernel from this venv;
# a cell that raises fails the test.
test-notebooks: setup
	cd notebooks && ACTLAB_PROGRESS_FILE=$(CURDIR)/build/test-progress.json \
		../$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=300 \
		-p no:cacheprovider -o testpaths=. -o norecursedirs=.ipynb_checkpoints .

# The other end of the supported range: a second venv with every dependency at
# its floor (constraints/oldest.txt), then the unit tests (not nbval, not the seed
# sweep, which `make test` runs; the unit tests still run each notebook once with
# its solutions filled in). VENV points
# tests that call make (tests/test_lab.py runs `make lab`) at this venv, whose
# setup stamp is touched too, so `make lab` there never re-installs without the
# constraints.
$(OLDEST_STAMP): pyproject.toml constraints/oldest.txt
	@test -x $(OLDEST_VENV)/bin/python || { $(PYTHON) etc/setup_check.py python && $(PYTHON) -m venv $(OLDEST_VENV); }
	$(OLDEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install --progress-bar off $(BINARY_ONLY) -c constraints/oldest.txt \
		$(SETUP_REQS) > $(OLDEST_VENV)/pip-install.log 2>&1 \
		|| { tail -40 $(OLDEST_VENV)/pip-install.log; echo "test-oldest: pip install failed (full log: $(OLDEST_VENV)/pip-install.log)"; exit 1; }
	@$(OLDEST_VENV)/bin/python etc/setup_check.py installed
	@touch $(OLDEST_STAMP) $(OLDEST_VENV)/.actlab-installed

test-oldest: $(OLDEST_STAMP)
	$(OLDEST_VENV)/bin/python -m pip list --format=freeze 2>/dev/null \
		| grep -iE '^(tensorflow|tensorflow-cpu|keras|numpy)==' | tr '\n' ' '; echo
	VENV=$(OLDEST_VENV) $(OLDEST_VENV)/bin/python -m pytest tests -p no:cacheprovider -m "not sweep"

# Minutes, and online once (the kit): a fresh clone installed from wheelhouse/ in a
# network namespace with no route out, then `actlab doctor`; the book build. .ci/run runs it.
test-workshop: wheelhouse
	ACTLAB_WORKSHOP_TESTS=1 $(BIN)/python -m pytest -p no:cacheprovider tests/workshop

lint: setup
	$(BIN)/ruff check actlab tests bench notebooks tools

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(OLDEST_VENV) .pytest_cache .ruff_cache build *.egg-info bench/results artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# actlab course: `make lab` to learn, `make test` to check everything.
# A fresh machine needs only make and Python 3.11, 3.12 or 3.13 (the versions with
# final TensorFlow wheels; etc/setup_check.py says so otherwise): `setup` builds .venv.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.actlab-installed
# `make test-oldest`: the unit tests on the floor of every dependency (constraints/oldest.txt).
OLDEST_VENV  ?= .venv-oldest
OLDEST_STAMP := $(OLDEST_VENV)/.actlab-installed
# JupyterLab setting defaults for this venv's JupyterLab: no news, no update checks
# (JupyterLab reads every overrides.d/*.json of its app settings folder).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/actlab.json
# What `make setup` installs: actlab, TensorFlow for the CPU (extra `cpu`: one TensorFlow,
# never two) and the test tools (extra `dev`). The heavy packages as wheels only.
SETUP_REQS := -e ".[cpu,dev]"
BINARY_ONLY := --only-binary tensorflow,tensorflow-cpu,numpy,scipy,scikit-learn,matplotlib
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

.PHONY: setup lab test test-unit test-notebooks test-oldest lint bench clean help

help:
	@echo "make lab    - set up (first time) and open the course in JupyterLab"
	@echo "make test   - set up, then run unit tests and execute every notebook"
	@echo "make test-oldest - the unit tests on the oldest supported versions (.venv-oldest)"
	@echo "make lint   - ruff on actlab, tests, bench and notebooks"
	@echo "make bench  - measure notebook times, slider latency, probe/surgery speed"
	@echo "make clean  - remove the virtual environment and caches"

setup: $(STAMP) $(LAB_OVERRIDES)

# Re-runs when pyproject.toml changes; otherwise a no-op (works offline).
# A Python without final TensorFlow wheels stops here with the versions that work.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { $(PYTHON) etc/setup_check.py python && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar off $(BINARY_ONLY) $(SETUP_REQS) > $(VENV)/pip-install.log 2>&1 \
		|| { tail -40 $(VENV)/pip-install.log; echo "setup: pip install failed (full log: $(VENV)/pip-install.log)"; exit 1; }
	@$(BIN)/python etc/setup_check.py installed
	@touch $(STAMP)
	@echo "actlab environment ready in $(VENV)"

$(LAB_OVERRIDES): etc/jupyterlab/actlab.json $(STAMP)
	@mkdir -p $(dir $@)
	@cp etc/jupyterlab/actlab.json $@
	@echo "JupyterLab news and update checks off ($@)"

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
# its floor (constraints/oldest.txt), then the unit tests (not nbval; the unit
# tests still run each notebook once with its solutions filled in).
$(OLDEST_STAMP): pyproject.toml constraints/oldest.txt
	@test -x $(OLDEST_VENV)/bin/python || { $(PYTHON) etc/setup_check.py python && $(PYTHON) -m venv $(OLDEST_VENV); }
	$(OLDEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install --progress-bar off $(BINARY_ONLY) -c constraints/oldest.txt \
		$(SETUP_REQS) > $(OLDEST_VENV)/pip-install.log 2>&1 \
		|| { tail -40 $(OLDEST_VENV)/pip-install.log; echo "test-oldest: pip install failed (full log: $(OLDEST_VENV)/pip-install.log)"; exit 1; }
	@$(OLDEST_VENV)/bin/python etc/setup_check.py installed
	@touch $(OLDEST_STAMP)

test-oldest: $(OLDEST_STAMP)
	$(OLDEST_VENV)/bin/python -m pip list --format=freeze 2>/dev/null \
		| grep -iE '^(tensorflow|tensorflow-cpu|keras|numpy)==' | tr '\n' ' '; echo
	$(OLDEST_VENV)/bin/python -m pytest tests -p no:cacheprovider

lint: setup
	$(BIN)/ruff check actlab tests bench notebooks

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(OLDEST_VENV) .pytest_cache .ruff_cache build *.egg-info bench/results artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

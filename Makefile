# Two entry points (README): `make lab` runs the course, `make test` runs every test.
# Both create .venv when missing and install the project into it.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8888
EXTRAS ?= lab,grading,distributed,dev
PYTEST_ARGS ?=
BENCH_ARGS ?=
# nbgrader runs `alembic` and Jupyter runs kernels from PATH: use the venv's.
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: lab test system-deps install bench clean

# --no-cache-dir: torch's wheels are GBs; a cached copy would double the disk it needs.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-cache-dir -c constraints.txt -e '.[$(EXTRAS)]'
	touch $(STAMP)

install: $(STAMP)

## Debian packages the full test suite uses (real Fashion-MNIST, chromium).
## Installed when apt-get is available and we are root; skipped otherwise.
system-deps:
	@bash .ci/system-deps

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --config=jupyter_lab_config.py --port=$(PORT)

test: system-deps $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

## Benchmarks (bench/): `make bench BENCH_ARGS="--only lenet"`; see README, Performance.
bench: system-deps $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache

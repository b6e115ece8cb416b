# critmin — set-up, demo and tests. Only Python 3.11+ and the package registries are needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CORE   := $(VENV)/.installed-core
STAMP  := $(VENV)/.installed

.PHONY: demo test test-long lint fuzz bench bench-check clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# `make demo` installs only what critmin needs to run; `make test` and `make lint` add the test and lint tools.
$(CORE): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(CORE)

$(STAMP): $(CORE)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(CORE)
	$(VENV)/bin/critmin solve instances/demo/demo.yaml

# `make test` runs every check but those marked `long` (minutes each: the bundled CVaR MIP, and CBC on the
# stochastic instances); `make test-long` runs those. Both are part of a release.
test: $(STAMP)
	$(PY) -m pytest -q -m "not long"

test-long: $(STAMP)
	$(PY) -m pytest -q -m long

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks instances
	$(VENV)/bin/ruff format --check src tests benchmarks instances
	$(VENV)/bin/mypy

# A long, freshly random fuzz of the instance schema and solver (make test runs a fixed, short one).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz CRITMIN_FUZZ_EXAMPLES=3000 $(PY) -m pytest -q tests/test_fuzz.py -p no:cacheprovider

# Benchmarks are never part of `make test`: they take minutes (XL: ~1M columns) and measure the machine.
bench: $(STAMP)
	$(PY) benchmarks/bench.py --sizes small,medium,large,xl -o benchmarks/results.json
	$(PY) benchmarks/options.py
	$(PY) benchmarks/handover.py
	$(PY) benchmarks/sweep.py
	$(PY) benchmarks/lp_algorithms.py
	$(PY) benchmarks/lp_algorithms.py --sizes xl --time-limit 900 -o benchmarks/lp_algorithms_xl.json
	$(PY) benchmarks/startup.py
	$(PY) benchmarks/recourse.py
	$(PY) benchmarks/rounding.py
	$(PY) benchmarks/solver_defaults.py --defaults-only --out benchmarks/solver_work.json

# Regression guard (run by hand / in the bench workflow): fails if any recorded ratio got more than 25% worse,
# or the solver's work (median simplex iterations and CPU seconds over the recorded seeds) grew by more than 25%.
bench-check: $(STAMP)
	$(PY) benchmarks/bench.py --sizes medium,large --check benchmarks/results.json
	$(PY) benchmarks/solver_defaults.py --defaults-only --check benchmarks/solver_work.json

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache

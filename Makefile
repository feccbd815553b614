# campro-edge — developer entry points. `make help` lists them.
#
# The two a newcomer needs on a fresh machine:
#   make demo    set up, start a simulated RV1126 board, push examples/isp.json, capture before/after
#   make test    set up (incl. the rknn-toolkit2 toolchain) and run the whole test suite

PY      ?= python3
VENV    ?= .venv
PYTHON  := $(VENV)/bin/python
BOARD   ?= rv1126
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.DEFAULT_GOAL := help
.PHONY: help setup system-deps test test-fast lint demo sim sim-down bench flash clean

help:
	@echo "make demo            set up and run the main job against a simulated board (out/demo/)"
	@echo "make test            set up and run all tests (builds the rknn toolchain venv once)"
	@echo "make test-fast       tests without the rknn toolchain and hil tests"
	@echo "make lint            ruff"
	@echo "make sim / sim-down  start / stop a simulated board (campro-edge-sim up|down)"
	@echo "make toolchain       create .toolchain/ with rknn-toolkit2 2.5.0"
	@echo "make bench           run the benchmarks in bench/"
	@echo "make flash BOARD=rv1126   (not implemented yet; says what to use instead)"

system-deps:
	@scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q torch==2.13.0
	$(PYTHON) -m pip install -q -e '.[torch,eval,dev]'
	touch $@

setup: system-deps $(VENV)/.installed

include mk/toolchain.mk
toolchain: setup

test: setup toolchain
	$(PYTHON) -m pytest

test-fast: setup
	$(PYTHON) -m pytest -m "not toolchain and not hil and not slow"

lint: setup
	$(PYTHON) -m ruff check .

demo: setup
	$(PYTHON) -m campro_edge_sim.cli demo --out out/demo

sim: setup
	$(VENV)/bin/campro-edge-sim up

sim-down:
	$(VENV)/bin/campro-edge-sim down

bench: setup toolchain
	@for b in bench/bench_*.py; do echo "== $$b"; $(PYTHON) $$b || exit 1; done

flash:
	@echo "make flash is not implemented yet: no issue covers the board bundle. Today use" >&2
	@echo "  campro-edge push-iq isp.json --board $(BOARD) --host HOST   (IQ file)" >&2
	@echo "  campro-edge compile-enhancer enhancer.pt --board rv1126b    (NPU model)" >&2
	@exit 2

clean:
	rm -rf $(VENV) .toolchain out build *.egg-info .pytest_cache .ruff_cache

# rknn-toolkit2 toolchain virtualenv (.toolchain/), see docs/enhancer.md.
# Included by the Makefile: `include mk/toolchain.mk`. Uses $(PYTHON) if the Makefile sets it.
PYTHON ?= .venv/bin/python

.PHONY: toolchain toolchain-status toolchain-clean
toolchain:
	$(PYTHON) -m campro_edge.toolchain setup

toolchain-status:
	$(PYTHON) -m campro_edge.toolchain status

toolchain-clean:
	rm -rf .toolchain

# kdbench set-up and entry points. Every target sets up what it needs first
# (idempotent): a project-local virtualenv in .venv with the pinned stack
# (requirements/stack.txt), the real Fashion-MNIST source, and the mini data.
#
#   make benchmark   set up, then run the mini classification benchmark
#   make benchmark-det   the mini detection suites (DET_SUITES)
#   make benchmark-seg   the mini segmentation suite (SEG_SUITES)
#   make benchmark-tiny  the mini tiny-network suite, then its transfer matrix
#   make benchmark-all   every mini suite above, one after the other
#   make test        set up, then run the test suite
#
# The first set-up builds mmcv from source (~20 min on 2 cores); pip caches
# the wheel, so later set-ups (and fresh clones on the same machine) reuse it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.kdbench-stack
SUITE  ?= configs/benchmarks/cls_mini.py
DET_SUITES ?= configs/benchmarks/det_gfl_coco_mini.py \
              configs/benchmarks/det_frcnn_coco_mini.py \
              configs/benchmarks/det_gfl_voc_mini.py \
              configs/benchmarks/det_frcnn_voc_mini.py
SEG_SUITES ?= configs/benchmarks/seg_pspnet_cityscapes_mini.py
TINY_SUITE ?= configs/benchmarks/tiny_mini.py
TRANSFER_SUITE ?= configs/benchmarks/transfer_mini.py
PYTEST_ARGS ?=
# pytest-xdist workers: one per core of the 2-core reference machine
PYTEST_WORKERS ?= 2

.PHONY: setup data test benchmark benchmark-quick benchmark-det benchmark-seg \
        benchmark-tiny benchmark-all clean-venv

setup: $(STAMP)

$(STAMP): requirements/stack.txt requirements/build.txt requirements/tests.txt setup.py
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "kdbench needs Python 3.11 (torch 2.14.1 wheels), found " + sys.version.split()[0]'
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --disable-pip-version-check -q \
	    $$(grep -E '^torch(vision)?==' requirements/stack.txt)
	$(VPY) -m pip install --disable-pip-version-check -q -r requirements/build.txt
	CXX=$(CURDIR)/tools/build/cxx20 PYTORCH_NVCC=$(CURDIR)/tools/build/nvcc20 \
	MMCV_WITH_OPS=1 MAX_JOBS=2 \
	    $(VPY) -m pip install --disable-pip-version-check --no-build-isolation \
	    $$(grep -E '^mmcv==' requirements/stack.txt)
	$(VPY) -m pip install --disable-pip-version-check -q \
	    -r requirements/stack.txt -r requirements/tests.txt
	$(VPY) -m pip install --disable-pip-version-check -q --no-deps \
	    --no-build-isolation -e .
	$(VPY) -c 'import mmcv.ops, mmdet, mmseg, mmpretrain, kdbench; print("kdbench stack ready")'
	touch $@

data: setup
	./scripts/get_fashion_mnist.sh
	$(VPY) tools/prepare_data.py --source $${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}

test: data
	$(VPY) -m pytest tests -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

benchmark: data
	$(VPY) tools/benchmark.py $(SUITE)

benchmark-quick: data
	$(VPY) tools/benchmark.py $(SUITE) --quick

benchmark-det: data
	for suite in $(DET_SUITES); do \
		$(VPY) tools/benchmark.py $$suite || exit 1; done

benchmark-seg: data
	for suite in $(SEG_SUITES); do \
		$(VPY) tools/benchmark.py $$suite || exit 1; done

# the transfer matrix fine-tunes the backbones the tiny suite pretrained
benchmark-tiny: data
	$(VPY) tools/benchmark.py $(TINY_SUITE)
	$(VPY) tools/transfer.py $(TRANSFER_SUITE)

# each suite resumes and skips what is recorded: rerun after a stop
benchmark-all: benchmark benchmark-det benchmark-seg benchmark-tiny

clean-venv:
	rm -rf $(VENV)

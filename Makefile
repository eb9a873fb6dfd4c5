# SPDX-License-Identifier: GPL-2.0-only
#
# Out-of-tree build of vfio_spapr_tce and its checks. In a kernel tree the
# Kbuild and Kconfig files are used directly and this file is not.
#
#   make            the module and its KUnit test module, against KDIR
#   make check      every check and test (the README's test command)
#   make demo       passthrough demo: edu DMA through our TCEs in a pseries
#                   guest (MACHINE=powernv9 for the skiboot/PHB4 guest)
#   make bench      map/unmap throughput, ours against upstream's, in one
#                   guest boot per machine (not part of make check)
#   make kernel     prepare the cached ppc64le test kernel (build/kernel)
#
# KDIR defaults to the prepared test kernel; any other ppc64le 6.12 build
# tree with CONFIG_VFIO_CONTAINER and CONFIG_SPAPR_TCE_IOMMU works.

DEFAULT_KDIR := $(CURDIR)/build/kernel
KDIR ?= $(DEFAULT_KDIR)
MACHINE ?= pseries
ARCH ?= powerpc
CROSS_COMPILE ?= powerpc64le-linux-gnu-

KBUILD_ARGS := ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE) \
	CONFIG_VFIO_SPAPR_TCE=m CONFIG_VFIO_SPAPR_TCE_KUNIT_TEST=m

# Prepare the test kernel only when building against the default one
KERNEL_DEP := $(if $(filter $(DEFAULT_KDIR),$(KDIR)),kernel)

.PHONY: all modules kernel setup check demo bench clean

all: modules

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/kernel.sh >/dev/null

modules: $(KERNEL_DEP)
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) W=1 modules

check:
	@scripts/check.sh

demo: modules
	@scripts/guest.sh demo $(MACHINE)

bench:
	@scripts/bench.sh

clean:
	@if [ -d $(KDIR) ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) clean; fi

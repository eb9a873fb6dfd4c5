# SPDX-License-Identifier: GPL-2.0-only
#
# Out-of-tree build of vfio_spapr_tce and its checks. In a kernel tree the
# Kbuild and Kconfig files are used directly and this file is not.
#
#   make            the module, and its KUnit test module where the kernel
#                   has KUnit, against KDIR; builds and nothing else: no
#                   package is installed, no kernel prepared
#   make setup      install the Debian packages the project uses
#                   (scripts/setup.sh; skips what is present)
#   make kernel     prepare the cached ppc64le test kernel (build/kernel):
#                   make setup, then scripts/kernel.sh (about 8 minutes the
#                   first time, then cached)
#   make install    install the module under updates/, run depmod, and
#                   install the modprobe.d file that makes it serve
#   make dkms       register, build and install it with DKMS (and the
#                   modprobe.d file)
#   make check      every check and test (the README's test command)
#   make demo       passthrough demo: edu DMA through our TCEs in a pseries
#                   guest (MACHINE=powernv9 for the skiboot/PHB4 guest);
#                   QEMU=1: Debian's QEMU in Debian's 4K-page kernel passes
#                   edu through to nested guests, whose DMA clients map
#                   through our TCEs: under TCG (MAP_DMA) and KVM-HV
#                   (KVM writes our TCEs itself), about 10 minutes
#   make bench      map/unmap throughput, ours against upstream's, in one
#                   guest boot per machine (not part of make check;
#                   tools/bench/)
#   make fuzz       tests/guest/spapr_fuzz at length, ours and upstream's
#                   (FUZZ_SEEDS, FUZZ_OPS, FUZZ_MACHINES; not in make check,
#                   which runs three fixed seeds in its e2e guests)
#
# check, demo, bench and fuzz install what they need and prepare their
# kernels themselves, as make kernel does; make and make install do not.
#
# On a POWER host KDIR defaults to the running kernel's build tree (its
# headers package); elsewhere to the cross-built test kernel, which make
# kernel prepares. Any ppc64le 6.12 or later tree with CONFIG_VFIO_CONTAINER
# and CONFIG_SPAPR_TCE_IOMMU works, a full build tree or a distribution's
# headers package.

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DEFAULT_KDIR := $(CURDIR)/build/kernel
ifeq ($(shell uname -m),ppc64le)
KDIR ?= /lib/modules/$(shell uname -r)/build
else
KDIR ?= $(DEFAULT_KDIR)
ARCH ?= powerpc
CROSS_COMPILE ?= powerpc64le-linux-gnu-
export ARCH CROSS_COMPILE
endif
MACHINE ?= pseries
DESTDIR ?=
# With DESTDIR, DKMS keeps its trees there too (a staging root); more
# arguments, e.g. -k RELEASE --kernelsourcedir DIR, in DKMS_ARGS
DKMS_TREES := $(if $(DESTDIR),--sourcetree $(DESTDIR)/usr/src \
	--dkmstree $(DESTDIR)/var/lib/dkms --installtree $(DESTDIR)/lib/modules)
MODPROBE_D ?= $(DESTDIR)/etc/modprobe.d

# The test module only where the kernel has KUnit (distribution kernels
# do not); evaluated when the recipe runs, after the kernel is prepared
KUNIT_ARG = $(if $(shell grep -s '^CONFIG_KUNIT=[ym]' \
	$(KDIR)/include/config/auto.conf),CONFIG_VFIO_SPAPR_TCE_KUNIT_TEST=m)
KBUILD_ARGS = CONFIG_VFIO_SPAPR_TCE=m $(KUNIT_ARG)

# The targets that boot the test kernel prepare it first, only when
# building against the default one
KERNEL_DEP := $(if $(filter $(DEFAULT_KDIR),$(KDIR)),kernel)

# make and make modules only build: an unprepared default kernel, or a KDIR
# that is no kernel tree, stops them at once with what to run
ifeq ($(KDIR),$(DEFAULT_KDIR))
KDIR_CHECK = test -f $(KDIR)/.built || { \
	echo "vfio_spapr_tce: the test kernel $(KDIR) is not prepared."; \
	echo "  Run 'make kernel' once: it installs the host packages (as"; \
	echo "  'make setup' does) and cross-builds the ppc64le test kernel into"; \
	echo "  the cache, about 8 minutes the first time. Or build against a"; \
	echo "  prepared ppc64le tree: make KDIR=/path/to/kernel/build"; \
	exit 1; } >&2
else
KDIR_CHECK = test -f $(KDIR)/Makefile || { \
	echo "vfio_spapr_tce: KDIR=$(KDIR) is not a kernel build tree."; \
	echo "  On a POWER host, for the running kernel: apt install"; \
	echo "  linux-headers-$$(uname -r). Elsewhere, without KDIR, 'make"; \
	echo "  kernel' prepares the cross-built test kernel that make uses."; \
	exit 1; } >&2
endif

.PHONY: all modules kernel setup install dkms check demo bench fuzz clean

all: modules

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/kernel.sh >/dev/null

modules:
	@$(KDIR_CHECK)
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_VFIO_SPAPR_TCE=m \
		INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(if $(DESTDIR),,depmod -a $$(cat $(KDIR)/include/config/kernel.release))
	install -D -m 0644 vfio_spapr_tce.conf $(MODPROBE_D)/vfio_spapr_tce.conf

dkms:
	rm -rf $(DESTDIR)/usr/src/vfio_spapr_tce-$(VERSION)
	install -d $(DESTDIR)/usr/src/vfio_spapr_tce-$(VERSION)
	cp -r Kbuild Kconfig Makefile dkms.conf vfio_spapr_tce.conf \
		vfio_iommu_spapr_tce.c iommu_tce.c include \
		$(DESTDIR)/usr/src/vfio_spapr_tce-$(VERSION)/
	dkms add $(DKMS_TREES) $(DKMS_ARGS) vfio_spapr_tce/$(VERSION)
	dkms build $(DKMS_TREES) $(DKMS_ARGS) vfio_spapr_tce/$(VERSION)
	dkms install $(DKMS_TREES) $(DKMS_ARGS) vfio_spapr_tce/$(VERSION)
	install -D -m 0644 vfio_spapr_tce.conf $(MODPROBE_D)/vfio_spapr_tce.conf

check:
	@scripts/check.sh

demo: $(KERNEL_DEP)
	@$(MAKE) --no-print-directory modules
ifeq ($(QEMU),1)
	@mkdir -p build/logs
	@scripts/dkms_stage.sh powerpc64le >build/logs/dkms-demo.log 2>&1 || \
		{ cat build/logs/dkms-demo.log; exit 1; }
	@DEBIAN=powerpc64le MODDIR=$(CURDIR)/build/debian/powerpc64le/guest \
		QEMU_NESTED=demo GUEST_TIMEOUT=3600 scripts/guest.sh qemu pseries
else
	@scripts/guest.sh demo $(MACHINE)
endif

bench:
	@scripts/bench.sh

fuzz: $(KERNEL_DEP)
	@scripts/fuzz.sh

clean:
	@if [ -d $(KDIR) ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) clean; fi

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vfio_core.sh KDIR: build the VFIO core module (vfio.ko) of the kernel in
# KDIR (an O= build tree of a ppc64le kernel with CONFIG_VFIO=m and
# CONFIG_VFIO_CONTAINER=y: its source is KDIR/source) with the patches in
# patches/ applied, as an external module, into
# build/vfio-core/<name of KDIR>/. Prints the directory of the module.
#
# The whole VFIO core is vfio.ko in the test kernels (CONFIG_VFIO=m), so
# loading this one instead of the tree's gives the patched kernel without
# a second kernel build. KDIR's source tree is its "source" link.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$(readlink -f "${1:?usage: vfio_core.sh KDIR}")
src=$(readlink -f "$kdir/source")
out=$top/build/vfio-core/$(basename "$kdir")

rm -rf "$out"
mkdir -p "$out/drivers/vfio"
cp "$src"/drivers/vfio/*.[ch] "$out/drivers/vfio/"
cd "$out"
for p in "$top"/patches/*.patch; do
	patch -s -p1 --fuzz=0 <"$p" >&2
done
cd drivers/vfio
# The fix must be where it belongs: the pass-through under the read lock
sed -n '/^static long vfio_fops_unl_ioctl/,/^}/p' container.c |
	grep -q 'down_read(&container->group_lock)' ||
	{ echo "vfio_core: the fix is not in vfio_fops_unl_ioctl()" >&2; exit 1; }
# The core's lines of its Makefile: not the backends, not the bus drivers
grep -E '^(obj|vfio)-' "$src/drivers/vfio/Makefile" |
	grep -v -e '/$' -e 'CONFIG_VFIO_IOMMU_' >Kbuild
make -s -C "$kdir" M="$PWD" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- \
	modules >&2
[ -f vfio.ko ] || { echo "vfio_core: no vfio.ko built" >&2; exit 1; }
echo "$PWD"

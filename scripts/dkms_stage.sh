#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dkms_stage.sh FLAVOUR: install vfio_spapr_tce with DKMS, the way an
# administrator does ("make dkms"), for Debian's own kernel of FLAVOUR
# (powerpc64le or powerpc64le-64k; scripts/debian.sh), into a staging root
# build/debian/FLAVOUR instead of /: DKMS builds against Debian's headers
# package and installs under updates/dkms; depmod and modprobe (the
# host's kmod, on the staged lib/modules with Debian's VFIO modules) then
# say what loading VFIO loads. Prints "PASS|FAIL dkms.<FLAVOUR>.<check>"
# lines; the module for the guest is left in build/debian/FLAVOUR/guest.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:?usage: dkms_stage.sh FLAVOUR}
s=$top/build/debian/$flavour
log=$top/build/logs/dkms-$flavour.log
mkdir -p "$top/build/logs"

res() {
	if [ "$2" = 0 ]; then echo "PASS dkms.$flavour.$1"
	else echo "FAIL dkms.$flavour.$1${3:+ ($3)}"; fi
}

hdr=$("$top/scripts/debian.sh" headers "$flavour") &&
	img=$("$top/scripts/debian.sh" image "$flavour") &&
	krel=$("$top/scripts/debian.sh" version "$flavour")
rc=$?
res fetch_debian_kernel "$rc"
[ "$rc" = 0 ] || exit 1

# The staged root: Debian's VFIO modules and the files depmod reads
rm -rf "$s"
mkdir -p "$s/lib/modules/$krel" "$s/usr/src" "$s/var/lib/dkms" "$s/guest"
cp "$img/lib/modules/$krel"/modules.{order,builtin,builtin.modinfo} \
	"$s/lib/modules/$krel/"
(cd "$img/lib/modules/$krel" && cp -a --parents kernel/drivers/vfio \
	"$s/lib/modules/$krel/")

make -C "$top" dkms DESTDIR="$s" \
	DKMS_ARGS="-k $krel -a ppc64le --no-depmod --kernelsourcedir $hdr" \
	>"$log" 2>&1
rc=$?
res "add_build_install" "$rc" "see $log"
[ "$rc" = 0 ] || exit 1

ko=$(find "$s/lib/modules/$krel/updates/dkms" -name 'vfio_spapr_tce.ko*' | head -n1)
[ -n "$ko" ]
res installed_under_updates_dkms $?
vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
case $vermagic in "$krel "*) rc=0 ;; *) rc=1 ;; esac
res vermagic "$rc" "$vermagic"
modinfo -F depends "$ko" | grep -qx vfio
res depends_on_vfio $?

depmod -b "$s" "$krel" >>"$log" 2>&1
res depmod $?
# Loading the VFIO core loads ours, by the modprobe.d file, where the
# core's soft dependency asks for the kernel's backend
out=$(modprobe -n -v -d "$s" -S "$krel" -C "$s/etc/modprobe.d" vfio 2>&1)
echo "$out" >>"$log"
case $out in
*"install /sbin/modprobe"*"vfio_spapr_tce"*) rc=0 ;;
*) rc=1 ;;
esac
res modprobe_vfio_loads_ours "$rc"
out=$(modprobe -n -v -d "$s" -S "$krel" -C "$s/etc/modprobe.d" vfio_spapr_tce 2>&1)
echo "$out" >>"$log"
case $out in
*"insmod $s/lib/modules/$krel/updates/dkms/vfio_spapr_tce.ko"*) rc=0 ;;
*) rc=1 ;;
esac
res modprobe_finds_ours "$rc"

# For the guest, uncompressed as the others are
case $ko in
*.xz) xz -dc "$ko" >"$s/guest/vfio_spapr_tce.ko" ;;
*) cp "$ko" "$s/guest/vfio_spapr_tce.ko" ;;
esac

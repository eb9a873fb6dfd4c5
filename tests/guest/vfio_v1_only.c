// SPDX-License-Identifier: GPL-2.0-only
/*
 * LD_PRELOAD shim for the QEMU client guest (init-qemu.sh): the container
 * says it has no sPAPR TCE v2, so that QEMU, which takes v2 whenever it is
 * offered, runs its v1 path against the same backend. Every other ioctl
 * goes through untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

/*
 * glibc's ioctl() is variadic, and on ppc64le a variadic callee may store
 * its register arguments in a save area its caller must provide: call it
 * through a variadic pointer, else it writes over this frame
 */
int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int fd, unsigned long req, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (req == VFIO_CHECK_EXTENSION &&
	    (unsigned long)arg == VFIO_SPAPR_TCE_v2_IOMMU)
		return 0;
	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT,
								  "ioctl");
	return real(fd, req, arg);
}

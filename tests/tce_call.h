/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Calls into vfio_spapr_tce as the VFIO core and userspace make them, for
 * the KUnit suites: open, attach, detach and release through the driver
 * ops, and the ioctls, with their arguments in the case's user memory
 * where userspace would have them.
 *
 * A container from tce_call_open() belongs to the test case and is
 * released when the case ends, whatever ends it; a case that checks what
 * release itself does calls tce_call_release() where it needs it done.
 */
#ifndef VFIO_SPAPR_TCE_TCE_CALL_H
#define VFIO_SPAPR_TCE_TCE_CALL_H

#include <kunit/test.h>
#include <linux/types.h>

#include "vfio.h"
#include "vfio_spapr_tce.h"

struct tce_container *tce_call_open(struct kunit *test, unsigned long type);
void tce_call_release(struct kunit *test, struct tce_container *c);
long tce_call_default_window(struct tce_container *c);
struct tce_container *tce_call_open_enabled(struct kunit *test,
					    struct iommu_group *grp);

static inline int tce_call_attach(struct tce_container *c,
				  struct iommu_group *grp)
{
	return tce_iommu_driver_ops.attach_group(c, grp, VFIO_IOMMU);
}

static inline void tce_call_detach(struct tce_container *c,
				   struct iommu_group *grp)
{
	tce_iommu_driver_ops.detach_group(c, grp);
}

/* An ioctl whose argument, if any, the caller placed already */
static inline long tce_call_ioctl(struct tce_container *c, unsigned int cmd,
				  unsigned long arg)
{
	return tce_iommu_driver_ops.ioctl(c, cmd, arg);
}

long tce_call_ioctl_user(struct kunit *test, struct tce_container *c,
			 unsigned int cmd, void *arg, size_t len);
long tce_call_ioctl_other(struct tce_container *c, unsigned int cmd,
			  const void *arg, size_t len);
long tce_call_map(struct kunit *test, struct tce_container *c, u64 vaddr,
		  u64 iova, u64 size, u32 flags);
long tce_call_unmap(struct kunit *test, struct tce_container *c, u64 iova,
		    u64 size);
long tce_call_prereg(struct kunit *test, struct tce_container *c,
		     unsigned int cmd, u64 vaddr, u64 size);
long tce_call_create(struct kunit *test, struct tce_container *c, u32 shift,
		     u64 size, u32 levels, u64 *start);
long tce_call_remove(struct kunit *test, struct tce_container *c, u64 start);

#endif /* VFIO_SPAPR_TCE_TCE_CALL_H */

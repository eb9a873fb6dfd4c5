// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calls into vfio_spapr_tce as the VFIO core and userspace make them, for
 * the KUnit suites. See tce_call.h.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "tce_call.h"
#include "test_proc.h"

static void tce_call_release_action(void *c)
{
	tce_iommu_driver_ops.release(c);
}

/**
 * tce_call_open() - open a container through the driver ops
 * @test: the test case; owns the container
 * @type: VFIO_SPAPR_TCE_IOMMU or VFIO_SPAPR_TCE_v2_IOMMU
 *
 * The container is released through the ops when the case ends, also
 * when an assertion ends it early; tce_call_release() releases it sooner.
 * Open it after the fake groups it is attached to, which must outlive it
 * (test resources are released in reverse order).
 *
 * Return: the container (the case fails if it cannot be opened).
 */
struct tce_container *tce_call_open(struct kunit *test, unsigned long type)
{
	void *data = tce_iommu_driver_ops.open(type);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(data));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  tce_call_release_action,
						  data));
	return data;
}

/**
 * tce_call_default_window() - create a container's pending default window
 * @c: the container
 *
 * What MAP_DMA does first, under the container lock as there.
 *
 * Return: what tce_container_default_window() returns.
 */
long tce_call_default_window(struct tce_container *c)
{
	guard(mutex)(&c->lock);
	return tce_container_default_window(c);
}

/**
 * tce_call_open_enabled() - an enabled v1 container with its default window
 * @test: the test case; owns the container
 * @grp: the group to attach
 *
 * Opens a v1 container (tce_call_open()), attaches @grp, enables it and
 * creates its default window, asserting that each step succeeds.
 *
 * Return: the container.
 */
struct tce_container *tce_call_open_enabled(struct kunit *test,
					    struct iommu_group *grp)
{
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	return c;
}

/**
 * tce_call_release() - release a container now, as closing its fd does
 * @test: the test case
 * @c: a container from tce_call_open()
 *
 * For the cases that check what release does: it runs once, here, and
 * not again when the case ends. Nothing happens if it already ran.
 */
void tce_call_release(struct kunit *test, struct tce_container *c)
{
	kunit_release_action(test, tce_call_release_action, c);
}

/**
 * tce_call_ioctl_user() - issue an ioctl whose argument lives in user memory
 * @test: the test case (it must have an mm: see test_proc_user_mem())
 * @c: the container
 * @cmd: the ioctl
 * @arg: the argument; copied to a fresh user page, and back after the call
 * @len: its size
 *
 * Return: what the ioctl returned.
 */
long tce_call_ioctl_user(struct kunit *test, struct tce_container *c,
			 unsigned int cmd, void *arg, size_t len)
{
	unsigned long u = test_proc_user_mem(test, PAGE_SIZE);
	long ret;

	KUNIT_ASSERT_EQ(test, 0, copy_to_user((void __user *)u, arg, len));
	ret = tce_call_ioctl(c, cmd, u);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(arg, (void __user *)u, len));
	return ret;
}

/**
 * tce_call_map() - VFIO_IOMMU_MAP_DMA as userspace issues it
 * @test: the test case
 * @c: the container
 * @vaddr: user address
 * @iova: bus address
 * @size: bytes
 * @flags: VFIO_DMA_MAP_FLAG_*
 *
 * Return: what the ioctl returned.
 */
long tce_call_map(struct kunit *test, struct tce_container *c, u64 vaddr,
		  u64 iova, u64 size, u32 flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags,
		.vaddr = vaddr, .iova = iova, .size = size,
	};

	return tce_call_ioctl_user(test, c, VFIO_IOMMU_MAP_DMA, &m, sizeof(m));
}

/**
 * tce_call_unmap() - VFIO_IOMMU_UNMAP_DMA as userspace issues it
 * @test: the test case
 * @c: the container
 * @iova: bus address
 * @size: bytes
 *
 * Return: what the ioctl returned.
 */
long tce_call_unmap(struct kunit *test, struct tce_container *c, u64 iova,
		    u64 size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = size,
	};

	return tce_call_ioctl_user(test, c, VFIO_IOMMU_UNMAP_DMA, &u, sizeof(u));
}

/**
 * tce_call_prereg() - VFIO_IOMMU_SPAPR_(UN)REGISTER_MEMORY
 * @test: the test case
 * @c: the container
 * @cmd: VFIO_IOMMU_SPAPR_REGISTER_MEMORY or ..._UNREGISTER_MEMORY
 * @vaddr: user address
 * @size: bytes
 *
 * Return: what the ioctl returned.
 */
long tce_call_prereg(struct kunit *test, struct tce_container *c,
		     unsigned int cmd, u64 vaddr, u64 size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = vaddr, .size = size,
	};

	return tce_call_ioctl_user(test, c, cmd, &r, sizeof(r));
}

/**
 * tce_call_create() - VFIO_IOMMU_SPAPR_TCE_CREATE as userspace issues it
 * @test: the test case
 * @c: the container
 * @shift: IOMMU page shift
 * @size: window size in bytes
 * @levels: table levels
 * @start: where the window's bus address is returned, or NULL
 *
 * Return: what the ioctl returned.
 */
long tce_call_create(struct kunit *test, struct tce_container *c, u32 shift,
		     u64 size, u32 levels, u64 *start)
{
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = shift,
		.window_size = size, .levels = levels,
	};
	long ret;

	ret = tce_call_ioctl_user(test, c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr,
				  sizeof(cr));
	if (start)
		*start = cr.start_addr;
	return ret;
}

/**
 * tce_call_remove() - VFIO_IOMMU_SPAPR_TCE_REMOVE as userspace issues it
 * @test: the test case
 * @c: the container
 * @start: the window's bus address
 *
 * Return: what the ioctl returned.
 */
long tce_call_remove(struct kunit *test, struct tce_container *c, u64 start)
{
	struct vfio_iommu_spapr_tce_remove rm = {
		.argsz = sizeof(rm), .start_addr = start,
	};

	return tce_call_ioctl_user(test, c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm,
				   sizeof(rm));
}

/**
 * tce_call_ioctl_other() - an ioctl from a test_proc_other_start() thread
 * @c: the container
 * @cmd: the ioctl
 * @arg: its argument, copied to user memory of the thread's mm first
 * @len: its size
 *
 * Return: what the ioctl returned, or -ENOMEM.
 */
long tce_call_ioctl_other(struct tce_container *c, unsigned int cmd,
			  const void *arg, size_t len)
{
	unsigned long u = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_ANONYMOUS | MAP_PRIVATE, 0);

	if (IS_ERR_VALUE(u))
		return -ENOMEM;
	if (copy_to_user((void __user *)u, arg, len))
		return -ENOMEM;
	return tce_call_ioctl(c, cmd, u);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: what VFIO_IOMMU_ENABLE and DISABLE charge to locked_vm, and the
 * errno of every refusal.
 */

#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/vfio.h>

#include "fake_tce.h"
#include "tce_call.h"
#include "test_proc.h"

#define WINDOW_PAGES	(FAKE_TCE32_SIZE >> PAGE_SHIFT)

/* An attached v1 container in a case with an mm and a memlock limit */
static struct tce_container *v1_attached(struct kunit *test,
					 unsigned long memlock,
					 struct fake_tce_group **pfg)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, memlock);
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	if (pfg)
		*pfg = fg;
	return c;
}

static void enable_charges_window(struct kunit *test)
{
	struct tce_container *c = v1_attached(test, 1UL << 30, NULL);
	unsigned long start = test_proc_locked_vm();

	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, start + WINDOW_PAGES, test_proc_locked_vm());
}

/* DISABLE gives the charge back; again, it is a no-op */
static void disable_gives_back(struct kunit *test)
{
	struct tce_container *c = v1_attached(test, 1UL << 30, NULL);
	unsigned long start = test_proc_locked_vm();

	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());

	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

/* A disabled container can be enabled again; release gives it all back */
static void enable_after_disable(struct kunit *test)
{
	struct tce_container *c = v1_attached(test, 1UL << 30, NULL);
	unsigned long start = test_proc_locked_vm();

	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, start + WINDOW_PAGES, test_proc_locked_vm());
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

static void enable_twice_busy(struct kunit *test)
{
	struct tce_container *c = v1_attached(test, 1UL << 30, NULL);
	unsigned long start = test_proc_locked_vm();

	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, -EBUSY, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, start + WINDOW_PAGES, test_proc_locked_vm());
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

static void disable_without_enable(struct kunit *test)
{
	struct tce_container *c = v1_attached(test, 1UL << 30, NULL);
	unsigned long start = test_proc_locked_vm();

	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

/* Without CAP_IPC_LOCK, RLIMIT_MEMLOCK one page short of the window */
static void enable_over_memlock(struct kunit *test)
{
	unsigned long limit = (WINDOW_PAGES - 1) << PAGE_SHIFT;
	struct tce_container *c = v1_attached(test, limit, NULL);
	unsigned long start = test_proc_locked_vm();

	KUNIT_ASSERT_EQ(test, 0, start);
	test_proc_set_ipc_lock(test, false);
	KUNIT_EXPECT_FALSE(test, capable(CAP_IPC_LOCK));

	KUNIT_EXPECT_EQ(test, -ENOMEM, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
	/* Not enabled: disable changes nothing */
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

/* Without CAP_IPC_LOCK, exactly the window fits RLIMIT_MEMLOCK */
static void enable_at_memlock(struct kunit *test)
{
	unsigned long limit = WINDOW_PAGES << PAGE_SHIFT;
	struct tce_container *c = v1_attached(test, limit, NULL);
	unsigned long start = test_proc_locked_vm();

	KUNIT_ASSERT_EQ(test, 0, start);
	test_proc_set_ipc_lock(test, false);
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, start + WINDOW_PAGES, test_proc_locked_vm());
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

/* CAP_IPC_LOCK bypasses RLIMIT_MEMLOCK, and is still charged */
static void enable_cap_ipc_lock_bypass(struct kunit *test)
{
	struct tce_container *c = v1_attached(test, 0, NULL);
	unsigned long start = test_proc_locked_vm();

	KUNIT_ASSERT_TRUE(test, capable(CAP_IPC_LOCK));
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, start + WINDOW_PAGES, test_proc_locked_vm());
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

static void enable_needs_group_and_window(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test,
		&(struct fake_tce_opts){ .tce32_size = 0 });
	struct tce_container *c;
	unsigned long start;

	test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	start = test_proc_locked_vm();
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);

	KUNIT_EXPECT_EQ(test, -ENODEV, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_EXPECT_EQ(test, -EPERM, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

/* Once bound to an mm, the container refuses every other mm */
static void other_mm_refused(struct kunit *test)
{
	struct tce_container *c = v1_attached(test, 1UL << 30, NULL);
	struct mm_struct *mine = current->mm, *other;
	unsigned long start = test_proc_locked_vm();
	long enable, disable;

	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));

	other = mm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, other);
	kthread_unuse_mm(mine);
	kthread_use_mm(other);
	enable = tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0);
	disable = tce_call_ioctl(c, VFIO_IOMMU_DISABLE, 0);
	kthread_unuse_mm(other);
	kthread_use_mm(mine);
	KUNIT_EXPECT_EQ(test, 0, other->locked_vm);
	mmput(other);

	KUNIT_EXPECT_EQ(test, -EPERM, enable);
	KUNIT_EXPECT_EQ(test, -EPERM, disable);
	/* Still enabled and charged once in the owner's mm */
	KUNIT_EXPECT_EQ(test, start + WINDOW_PAGES, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, -EBUSY, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));

	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

/* The default window's table memory is charged, and uncharged at release */
static void default_window_table_charged(struct kunit *test)
{
	struct fake_tce_group *fg;
	struct tce_container *c = v1_attached(test, 1UL << 30, &fg);
	unsigned long start = test_proc_locked_vm();
	unsigned long table_pages;

	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	KUNIT_ASSERT_NOT_NULL(test, fg->table_group.tables[0]);
	table_pages = fg->table_group.tables[0]->it_allocated_size >> PAGE_SHIFT;
	KUNIT_EXPECT_GT(test, table_pages, 0);
	KUNIT_EXPECT_EQ(test, start + WINDOW_PAGES + table_pages,
			test_proc_locked_vm());

	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
}

static struct kunit_case locked_vm_cases[] = {
	KUNIT_CASE(enable_charges_window),
	KUNIT_CASE(disable_gives_back),
	KUNIT_CASE(enable_after_disable),
	KUNIT_CASE(enable_twice_busy),
	KUNIT_CASE(disable_without_enable),
	KUNIT_CASE(enable_over_memlock),
	KUNIT_CASE(enable_at_memlock),
	KUNIT_CASE(enable_cap_ipc_lock_bypass),
	KUNIT_CASE(enable_needs_group_and_window),
	KUNIT_CASE(other_mm_refused),
	KUNIT_CASE(default_window_table_charged),
	{}
};

static struct kunit_suite locked_vm_suite = {
	.name = "vfio_spapr_tce_locked_vm",
	.test_cases = locked_vm_cases,
};

kunit_test_suite(locked_vm_suite);

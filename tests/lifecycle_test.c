// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: container open and release, VFIO_CHECK_EXTENSION, and that
 * release and the last detach leave nothing charged, pinned or set.
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/vfio.h>

#include "fake_tce.h"
#include "tce_call.h"
#include "test_proc.h"

FAKE_TCE_PLATFORM_PARAMS();

/**
 * struct open_bad - a container type open refuses
 * @name: the type's name, the case's parameter
 * @type: the type
 */
struct open_bad {
	const char *name;
	unsigned long type;
};

static const struct open_bad open_bad_types[] = {
	{ "zero", 0 },
	{ "type1", VFIO_TYPE1_IOMMU },
	{ "type1v2", VFIO_TYPE1v2_IOMMU },
	{ "noiommu", VFIO_NOIOMMU_IOMMU },
	{ "past_v2", VFIO_SPAPR_TCE_v2_IOMMU + 1 },
};

KUNIT_ARRAY_PARAM_DESC(open_bad, open_bad_types, name);

/* Another backend's container type: -EINVAL, no container */
static void open_refuses_type(struct kunit *test)
{
	const struct open_bad *bad = test->param_value;
	void *c = tce_iommu_driver_ops.open(bad->type);

	if (!IS_ERR(c)) {
		tce_iommu_driver_ops.release(c);
		KUNIT_FAIL(test, "type %lu opened", bad->type);
		return;
	}
	KUNIT_EXPECT_EQ(test, -EINVAL, PTR_ERR(c));
}

/* A v1 container: the v2 ioctls are not there */
static void open_v1(struct kunit *test)
{
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);

	KUNIT_EXPECT_EQ(test, -ENOTTY,
			tce_call_ioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, 0));
}

/* A v2 container: v1's ENABLE is not there, the v2 ioctls are */
static void open_v2(struct kunit *test)
{
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_EXPECT_EQ(test, -ENOTTY, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	/* No mm, nothing mapped at 0: it tried to read its argument */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			tce_call_ioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, 0));
}

/* The VFIO core asks before any container exists */
static void check_extension_without_container(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1, tce_call_ioctl(NULL, VFIO_CHECK_EXTENSION,
						VFIO_SPAPR_TCE_IOMMU));
	KUNIT_EXPECT_EQ(test, 1, tce_call_ioctl(NULL, VFIO_CHECK_EXTENSION,
						VFIO_SPAPR_TCE_v2_IOMMU));
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(NULL, VFIO_CHECK_EXTENSION,
						VFIO_TYPE1_IOMMU));
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(NULL, VFIO_CHECK_EXTENSION,
						VFIO_TYPE1v2_IOMMU));
}

static void check_extension_with_container(struct kunit *test)
{
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);

	KUNIT_EXPECT_EQ(test, 1, tce_call_ioctl(c, VFIO_CHECK_EXTENSION,
						VFIO_SPAPR_TCE_v2_IOMMU));
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(c, VFIO_CHECK_EXTENSION, 0));
}

/* What is not a backend's ioctl: -ENOTTY */
static void unknown_ioctls(struct kunit *test)
{
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);

	KUNIT_EXPECT_EQ(test, -ENOTTY, tce_call_ioctl(c, VFIO_GET_API_VERSION,
						      0));
	KUNIT_EXPECT_EQ(test, -ENOTTY, tce_call_ioctl(c, 0xdead, 0));
}

/* v2 does not charge at ENABLE: like upstream, it has no ENABLE at all */
static void v2_has_no_enable(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test,
							 &fake_tce_ddw_opts);
	struct tce_container *c;
	unsigned long start;

	test_proc_user_mem(test, PAGE_SIZE);
	start = test_proc_locked_vm();
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_EXPECT_EQ(test, -ENOTTY, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, -ENOTTY, tce_call_ioctl(c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
}

/*
 * An attached, enabled, mapped v1 container, on either kind of table:
 * release undoes everything
 */
static void release_leaves_nothing(struct kunit *test)
{
	struct fake_tce_opts opts = { .tce32_size = FAKE_TCE32_SIZE,
				      .hv = fake_tce_param_hv(test) };
	struct fake_tce_group *fg = fake_tce_group_new(test, &opts);
	struct test_proc_pin pin;
	struct tce_container *c;
	unsigned long uaddr, start;

	uaddr = test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	start = test_proc_locked_vm();
	c = tce_call_open_enabled(test, fg->grp);
	KUNIT_ASSERT_NOT_NULL(test, fg->table_group.tables[0]);

	test_proc_pin_page(test, uaddr, &pin);
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_map(test, c, uaddr, 9 * SZ_4K, SZ_4K,
				     VFIO_DMA_MAP_FLAG_READ |
					 VFIO_DMA_MAP_FLAG_WRITE));
	KUNIT_EXPECT_GT(test, test_proc_locked_vm(), start);

	tce_call_release(test, c);

	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, pin.ref_base, test_proc_page_ref(pin.page));
	KUNIT_EXPECT_NULL(test, fg->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 1, fg->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.live_at_free);
}

/* The last detach disables and gives back the charge and the tables */
static void last_detach_disables(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct tce_container *c;
	unsigned long start;

	test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	start = test_proc_locked_vm();
	c = tce_call_open_enabled(test, fg->grp);

	tce_call_detach(c, fg->grp);
	KUNIT_EXPECT_FALSE(test, c->enabled);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, -ENODEV, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
}

/* After the last detach the container can be attached and used again */
static void reattach_after_last_detach(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct tce_container *c;
	unsigned long start;

	test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	start = test_proc_locked_vm();
	c = tce_call_open_enabled(test, fg->grp);
	tce_call_detach(c, fg->grp);

	/* Attach again: a fresh default window is pending */
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_EXPECT_TRUE(test, c->def_window_pending);
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	KUNIT_EXPECT_EQ(test, 2, fg->stats.create_table);

	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
}

/* A caller without an mm (a kernel thread) cannot bind the container */
static void no_mm_refused(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct fake_tce_group *ddw = fake_tce_group_new(test,
							 &fake_tce_ddw_opts);
	struct tce_container *v1, *v2;

	KUNIT_ASSERT_NULL(test, current->mm);
	v1 = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	v2 = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(v1, fg->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(v2, ddw->grp));

	KUNIT_EXPECT_EQ(test, -EPERM, tce_call_ioctl(v1, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_FALSE(test, v1->enabled);
	/* Arguments are copied in first: with no mm there is none to copy */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			tce_call_ioctl(v2, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			tce_call_ioctl(v2, VFIO_IOMMU_SPAPR_TCE_CREATE, 0));
	KUNIT_EXPECT_NULL(test, v1->mm);
	KUNIT_EXPECT_NULL(test, v2->mm);
}

static struct kunit_case lifecycle_cases[] = {
	KUNIT_CASE_PARAM(open_refuses_type, open_bad_gen_params),
	KUNIT_CASE(open_v1),
	KUNIT_CASE(open_v2),
	KUNIT_CASE(check_extension_without_container),
	KUNIT_CASE(check_extension_with_container),
	KUNIT_CASE(unknown_ioctls),
	KUNIT_CASE(v2_has_no_enable),
	KUNIT_CASE_PARAM(release_leaves_nothing, fake_tce_platform_gen_params),
	KUNIT_CASE(last_detach_disables),
	KUNIT_CASE(reattach_after_last_detach),
	KUNIT_CASE(no_mm_refused),
	{}
};

static struct kunit_suite lifecycle_suite = {
	.name = "vfio_spapr_tce_lifecycle",
	.test_cases = lifecycle_cases,
};

kunit_test_suite(lifecycle_suite);

MODULE_DESCRIPTION("KUnit tests for vfio_spapr_tce");
MODULE_LICENSE("GPL");
/* The namespace as a string: what MODULE_IMPORT_NS() gives since 6.13 */
MODULE_INFO(import_ns, "EXPORTED_FOR_KUNIT_TESTING");

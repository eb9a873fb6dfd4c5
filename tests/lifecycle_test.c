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

static void open_checks_type(struct kunit *test)
{
	static const unsigned long bad[] = {
		0, VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_NOIOMMU_IOMMU,
		VFIO_SPAPR_TCE_v2_IOMMU + 1,
	};
	void *c;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c = tce_iommu_driver_ops.open(bad[i]);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(c), "type %lu", bad[i]);
		if (!IS_ERR(c)) {
			fake_tce_release(c);
			continue;
		}
		KUNIT_EXPECT_EQ(test, -EINVAL, PTR_ERR(c));
	}

	c = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_EXPECT_FALSE(test, ((struct tce_container *)c)->v2);
	fake_tce_release(c);
	c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_EXPECT_TRUE(test, ((struct tce_container *)c)->v2);
	fake_tce_release(c);
}

static void check_extension(struct kunit *test)
{
	struct tce_container *c = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);

	/* The VFIO core asks before any container exists */
	KUNIT_EXPECT_EQ(test, 1, fake_tce_ioctl(NULL, VFIO_CHECK_EXTENSION,
						VFIO_SPAPR_TCE_IOMMU));
	KUNIT_EXPECT_EQ(test, 1, fake_tce_ioctl(NULL, VFIO_CHECK_EXTENSION,
						VFIO_SPAPR_TCE_v2_IOMMU));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_ioctl(NULL, VFIO_CHECK_EXTENSION,
						VFIO_TYPE1_IOMMU));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_ioctl(NULL, VFIO_CHECK_EXTENSION,
						VFIO_TYPE1v2_IOMMU));
	KUNIT_EXPECT_EQ(test, 1, fake_tce_ioctl(c, VFIO_CHECK_EXTENSION,
						VFIO_SPAPR_TCE_v2_IOMMU));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_ioctl(c, VFIO_CHECK_EXTENSION, 0));

	KUNIT_EXPECT_EQ(test, -ENOTTY, fake_tce_ioctl(c, VFIO_GET_API_VERSION,
						      0));
	KUNIT_EXPECT_EQ(test, -ENOTTY, fake_tce_ioctl(c, 0xdead, 0));
	fake_tce_release(c);
}

/* v2 does not charge at ENABLE: like upstream, it has no ENABLE at all */
static void v2_has_no_enable(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test,
							 &fake_tce_ddw_opts);
	struct tce_container *c;
	unsigned long start;

	fake_tce_user_mem(test, PAGE_SIZE);
	start = fake_tce_locked_vm();
	c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));
	KUNIT_EXPECT_EQ(test, -ENOTTY, fake_tce_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, -ENOTTY, fake_tce_ioctl(c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, start, fake_tce_locked_vm());
	fake_tce_release(c);
}

/* An attached, enabled, mapped container: release undoes everything */
static void release_leaves_nothing(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct fake_tce_pin pin;
	struct tce_container *c;
	unsigned long uaddr, start;

	uaddr = fake_tce_user_mem(test, PAGE_SIZE);
	fake_tce_set_memlock(test, 1UL << 30);
	start = fake_tce_locked_vm();
	c = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));
	KUNIT_ASSERT_NOT_NULL(test, fg->table_group.tables[0]);

	fake_tce_pin_page(test, uaddr, &pin);
	KUNIT_ASSERT_EQ(test, 0,
			fake_tce_dma_map(test, c, uaddr, 9 * SZ_4K, SZ_4K,
					 VFIO_DMA_MAP_FLAG_READ |
					 VFIO_DMA_MAP_FLAG_WRITE));
	KUNIT_EXPECT_GT(test, fake_tce_locked_vm(), start);

	fake_tce_release(c);

	KUNIT_EXPECT_EQ(test, start, fake_tce_locked_vm());
	KUNIT_EXPECT_EQ(test, pin.ref_base, fake_tce_page_ref(pin.page));
	KUNIT_EXPECT_NULL(test, fg->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 1, fg->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.live_at_free);
}

/* The last detach disables; the container can be used again afterwards */
static void last_detach_disables(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct tce_container *c;
	unsigned long start;

	fake_tce_user_mem(test, PAGE_SIZE);
	fake_tce_set_memlock(test, 1UL << 30);
	start = fake_tce_locked_vm();
	c = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));

	fake_tce_detach(c, fg);
	KUNIT_EXPECT_FALSE(test, c->enabled);
	KUNIT_EXPECT_EQ(test, start, fake_tce_locked_vm());
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, -ENODEV, fake_tce_ioctl(c, VFIO_IOMMU_ENABLE, 0));

	/* Attach again: a fresh default window is pending */
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));
	KUNIT_EXPECT_TRUE(test, c->def_window_pending);
	KUNIT_ASSERT_EQ(test, 0, fake_tce_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));
	KUNIT_EXPECT_EQ(test, 2, fg->stats.create_table);
	fake_tce_release(c);
	KUNIT_EXPECT_EQ(test, start, fake_tce_locked_vm());
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
	v1 = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	v2 = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(v1, fg));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(v2, ddw));

	KUNIT_EXPECT_EQ(test, -EPERM, fake_tce_ioctl(v1, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_FALSE(test, v1->enabled);
	/* Arguments are copied in first: with no mm there is none to copy */
	KUNIT_EXPECT_EQ(test, -EFAULT,
			fake_tce_ioctl(v2, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			fake_tce_ioctl(v2, VFIO_IOMMU_SPAPR_TCE_CREATE, 0));
	KUNIT_EXPECT_NULL(test, v1->mm);
	KUNIT_EXPECT_NULL(test, v2->mm);
	fake_tce_release(v1);
	fake_tce_release(v2);
}

static struct kunit_case lifecycle_cases[] = {
	KUNIT_CASE(open_checks_type),
	KUNIT_CASE(check_extension),
	KUNIT_CASE(v2_has_no_enable),
	KUNIT_CASE(release_leaves_nothing),
	KUNIT_CASE(last_detach_disables),
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

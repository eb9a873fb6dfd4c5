// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: VFIO_IOMMU_SPAPR_TCE_GET_INFO for old and new callers, and the
 * EEH ioctls.
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/vfio.h>
#include <asm/eeh.h>

#include "fake_tce.h"

#define INFO	VFIO_IOMMU_SPAPR_TCE_GET_INFO

static void info_v1(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct vfio_iommu_spapr_tce_info info;
	struct tce_container *c;

	fake_tce_user_mem(test, PAGE_SIZE);
	c = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	KUNIT_EXPECT_EQ(test, -ENXIO,
			fake_tce_ioctl_user(test, c, INFO, &info, sizeof(info)));

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));
	memset(&info, 0xff, sizeof(info));
	info.argsz = sizeof(info);
	KUNIT_ASSERT_EQ(test, 0,
			fake_tce_ioctl_user(test, c, INFO, &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, 0, info.flags);
	KUNIT_EXPECT_EQ(test, 0, info.dma32_window_start);
	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE, info.dma32_window_size);
	/* v1 reports no dynamic windows even where the platform has them */
	KUNIT_EXPECT_EQ(test, 0, info.ddw.pgsizes);
	KUNIT_EXPECT_EQ(test, 0, info.ddw.max_dynamic_windows_supported);
	KUNIT_EXPECT_EQ(test, 0, info.ddw.levels);
	fake_tce_release(c);
}

static void info_v2_ddw(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct vfio_iommu_spapr_tce_info info;
	struct tce_container *c;

	fake_tce_user_mem(test, PAGE_SIZE);
	c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	KUNIT_ASSERT_EQ(test, 0,
			fake_tce_ioctl_user(test, c, INFO, &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, VFIO_IOMMU_SPAPR_INFO_DDW, info.flags);
	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE, info.dma32_window_size);
	KUNIT_EXPECT_EQ(test, fg->table_group.pgsizes, info.ddw.pgsizes);
	KUNIT_EXPECT_EQ(test, 2, info.ddw.max_dynamic_windows_supported);
	KUNIT_EXPECT_EQ(test, fg->table_group.max_levels, info.ddw.levels);
	fake_tce_release(c);
}

/* An older caller's smaller structure is filled only as far as it goes */
static void info_argsz(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, &fake_tce_ddw_opts);
	unsigned long minsz = offsetofend(struct vfio_iommu_spapr_tce_info,
					  dma32_window_size);
	struct vfio_iommu_spapr_tce_info info;
	struct tce_container *c;

	fake_tce_user_mem(test, PAGE_SIZE);
	c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));

	memset(&info, 0xff, sizeof(info));
	info.argsz = minsz;
	KUNIT_ASSERT_EQ(test, 0,
			fake_tce_ioctl_user(test, c, INFO, &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE, info.dma32_window_size);
	KUNIT_EXPECT_EQ(test, VFIO_IOMMU_SPAPR_INFO_DDW, info.flags);
	KUNIT_EXPECT_EQ(test, U64_MAX, info.ddw.pgsizes);
	KUNIT_EXPECT_EQ(test, U32_MAX, info.ddw.levels);

	info.argsz = minsz - 1;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			fake_tce_ioctl_user(test, c, INFO, &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, -EFAULT, fake_tce_ioctl(c, INFO, 0));
	/* Readable but not writable: the answer cannot be given */
	info.argsz = sizeof(info);
	KUNIT_EXPECT_EQ(test, -EFAULT,
			fake_tce_ioctl(c, INFO,
				       fake_tce_ro_arg(test, &info,
						       sizeof(info))));
	fake_tce_release(c);
}

static void eeh(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct vfio_eeh_pe_op op = {
		.argsz = sizeof(op), .op = VFIO_EEH_PE_GET_STATE,
	};
	struct tce_container *c;
	long ret;

	fake_tce_user_mem(test, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, eeh_enabled(),
			fake_tce_ioctl(NULL, VFIO_CHECK_EXTENSION, VFIO_EEH));

	c = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	/* No group: nothing to do */
	KUNIT_EXPECT_EQ(test, 0, fake_tce_ioctl_user(test, c, VFIO_EEH_PE_OP,
						     &op, sizeof(op)));
	/* A group with no EEH PE behind it */
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));
	ret = fake_tce_ioctl_user(test, c, VFIO_EEH_PE_OP, &op, sizeof(op));
	KUNIT_EXPECT_EQ(test, -ENODEV, ret);
	fake_tce_release(c);
}

static struct kunit_case info_cases[] = {
	KUNIT_CASE(info_v1),
	KUNIT_CASE(info_v2_ddw),
	KUNIT_CASE(info_argsz),
	KUNIT_CASE(eeh),
	{}
};

static struct kunit_suite info_suite = {
	.name = "vfio_spapr_tce_info",
	.test_cases = info_cases,
};

kunit_test_suite(info_suite);

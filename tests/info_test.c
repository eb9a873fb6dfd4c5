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
#include "tce_call.h"
#include "test_proc.h"

#define INFO	VFIO_IOMMU_SPAPR_TCE_GET_INFO
/* The oldest caller's structure */
#define INFO_MINSZ \
	offsetofend(struct vfio_iommu_spapr_tce_info, dma32_window_size)

/* No group, no window to tell of: -ENXIO */
static void info_needs_group(struct kunit *test)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_EXPECT_EQ(test, -ENXIO,
			tce_call_ioctl_user(test, c, INFO, &info, sizeof(info)));
}

/* v1: the default window; no dynamic windows even where there are some */
static void info_v1(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct vfio_iommu_spapr_tce_info info;
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	memset(&info, 0xff, sizeof(info));
	info.argsz = sizeof(info);
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_ioctl_user(test, c, INFO, &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, 0, info.flags);
	KUNIT_EXPECT_EQ(test, 0, info.dma32_window_start);
	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE, info.dma32_window_size);
	KUNIT_EXPECT_EQ(test, 0, info.ddw.pgsizes);
	KUNIT_EXPECT_EQ(test, 0, info.ddw.max_dynamic_windows_supported);
	KUNIT_EXPECT_EQ(test, 0, info.ddw.levels);
}

static void info_v2_ddw(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct vfio_iommu_spapr_tce_info info;
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_ioctl_user(test, c, INFO, &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, VFIO_IOMMU_SPAPR_INFO_DDW, info.flags);
	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE, info.dma32_window_size);
	KUNIT_EXPECT_EQ(test, fg->table_group.pgsizes, info.ddw.pgsizes);
	KUNIT_EXPECT_EQ(test, 2, info.ddw.max_dynamic_windows_supported);
	KUNIT_EXPECT_EQ(test, fg->table_group.max_levels, info.ddw.levels);
}

/* A v2 container with a group, in a case with an mm */
static struct tce_container *info_v2_attached(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test,
						       &fake_tce_ddw_opts);
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	return c;
}

/* An older caller's smaller structure is filled only as far as it goes */
static void info_argsz(struct kunit *test)
{
	struct tce_container *c = info_v2_attached(test);
	struct vfio_iommu_spapr_tce_info info;

	memset(&info, 0xff, sizeof(info));
	info.argsz = INFO_MINSZ;
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_ioctl_user(test, c, INFO, &info, sizeof(info)));
	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE, info.dma32_window_size);
	KUNIT_EXPECT_EQ(test, VFIO_IOMMU_SPAPR_INFO_DDW, info.flags);
	KUNIT_EXPECT_EQ(test, U64_MAX, info.ddw.pgsizes);
	KUNIT_EXPECT_EQ(test, U32_MAX, info.ddw.levels);
}

/* Smaller than the oldest structure: -EINVAL */
static void info_argsz_too_small(struct kunit *test)
{
	struct tce_container *c = info_v2_attached(test);
	struct vfio_iommu_spapr_tce_info info;

	memset(&info, 0, sizeof(info));
	info.argsz = INFO_MINSZ - 1;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_ioctl_user(test, c, INFO, &info, sizeof(info)));
}

/* An argument that cannot be read, or read but not written: -EFAULT */
static void info_arg_fault(struct kunit *test)
{
	struct tce_container *c = info_v2_attached(test);
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };

	KUNIT_EXPECT_EQ(test, -EFAULT, tce_call_ioctl(c, INFO, 0));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			tce_call_ioctl(c, INFO,
				       test_proc_ro_copy(test, &info,
							 sizeof(info))));
}

static void eeh_extension(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, eeh_enabled(),
			tce_call_ioctl(NULL, VFIO_CHECK_EXTENSION, VFIO_EEH));
}

/* With no group nothing to do; a group with no EEH PE: -ENODEV */
static void eeh_pe_op(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct vfio_eeh_pe_op op = {
		.argsz = sizeof(op), .op = VFIO_EEH_PE_GET_STATE,
	};
	struct tce_container *c;
	long ret;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	/* No group: nothing to do */
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl_user(test, c, VFIO_EEH_PE_OP,
						     &op, sizeof(op)));
	/* A group with no EEH PE behind it */
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	ret = tce_call_ioctl_user(test, c, VFIO_EEH_PE_OP, &op, sizeof(op));
	KUNIT_EXPECT_EQ(test, -ENODEV, ret);
}

/**
 * struct bad_eeh_op - one VFIO_EEH_PE_OP refused before the PE is looked up
 * @what: what is wrong with it; the parameter name
 * @op: the operation
 * @flags: the argument's flags
 * @argsz: the argument's argsz
 */
struct bad_eeh_op {
	const char *what;
	u32 op, flags, argsz;
};

static const struct bad_eeh_op bad_eeh_ops[] = {
	{ .what = "unknown_flag", .op = VFIO_EEH_PE_GET_STATE, .flags = 1,
	  .argsz = sizeof(struct vfio_eeh_pe_op) },
	{ .what = "argsz_too_small", .op = VFIO_EEH_PE_GET_STATE,
	  .argsz = offsetofend(struct vfio_eeh_pe_op, op) - 1 },
	/* Injecting an error needs room for the error */
	{ .what = "inject_without_error", .op = VFIO_EEH_PE_INJECT_ERR,
	  .argsz = offsetofend(struct vfio_eeh_pe_op, op) },
};

KUNIT_ARRAY_PARAM_DESC(bad_eeh_op, bad_eeh_ops, what);

/* A malformed EEH_PE_OP is -EINVAL even where a group is attached */
static void eeh_pe_op_refused(struct kunit *test)
{
	const struct bad_eeh_op *b = test->param_value;
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct vfio_eeh_pe_op op = {
		.argsz = b->argsz, .flags = b->flags, .op = b->op,
	};
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_ioctl_user(test, c, VFIO_EEH_PE_OP, &op,
					    sizeof(op)));
}

static struct kunit_case info_cases[] = {
	KUNIT_CASE(info_needs_group),
	KUNIT_CASE(info_v1),
	KUNIT_CASE(info_v2_ddw),
	KUNIT_CASE(info_argsz),
	KUNIT_CASE(info_argsz_too_small),
	KUNIT_CASE(info_arg_fault),
	KUNIT_CASE(eeh_extension),
	KUNIT_CASE(eeh_pe_op),
	KUNIT_CASE_PARAM(eeh_pe_op_refused, bad_eeh_op_gen_params),
	{}
};

static struct kunit_suite info_suite = {
	.name = "vfio_spapr_tce_info",
	.test_cases = info_cases,
};

kunit_test_suite(info_suite);

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: which windows a container programs into its groups on attach,
 * what it refuses, and what detach clears, releases and unsets.
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/vfio.h>

#include "fake_tce.h"

/* v1: attach leaves the default window pending; first use programs it */
static void attach_defers_default_window(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct tce_container *c = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	struct iommu_table *tbl;

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));
	KUNIT_EXPECT_EQ(test, 0, fg->stats.create_table);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.set_window);
	KUNIT_EXPECT_NULL(test, fg->table_group.tables[0]);

	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));
	tbl = fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_EXPECT_EQ(test, 1, fg->stats.create_table);
	KUNIT_EXPECT_EQ(test, 1, fg->stats.set_window);
	KUNIT_EXPECT_EQ(test, IOMMU_PAGE_SHIFT_4K, tbl->it_page_shift);
	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE >> IOMMU_PAGE_SHIFT_4K,
			tbl->it_size);
	KUNIT_EXPECT_EQ(test, 0, tbl->it_offset);

	/* Only once */
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));
	KUNIT_EXPECT_EQ(test, 1, fg->stats.create_table);

	fake_tce_release(c);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
}

/* v2: a group attached later is given every existing window */
static void attach_sets_existing_windows(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, a));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));
	KUNIT_ASSERT_NOT_NULL(test, a->table_group.tables[0]);

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, b));
	KUNIT_EXPECT_EQ(test, 1, b->stats.set_window);
	KUNIT_EXPECT_PTR_EQ(test, a->table_group.tables[0],
			    b->table_group.tables[0]);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[1]);
	/* The table was made once, by the first group */
	KUNIT_EXPECT_EQ(test, 1, a->stats.create_table);
	KUNIT_EXPECT_EQ(test, 0, b->stats.create_table);

	fake_tce_release(c);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

/* Refused attaches return the documented errno and change nothing */
static void attach_refusals(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *other = fake_tce_group_new(test,
		&(struct fake_tce_opts){ .tce32_size = FAKE_TCE32_SIZE,
					 .ddw = true, .other_ops = true });
	struct fake_tce_group *v1only = fake_tce_group_new(test, NULL);
	struct fake_tce_group *bare = fake_tce_group_new(test,
		&(struct fake_tce_opts){ .no_iommudata = true });
	struct tce_container *v1 = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	struct tce_container *v2 = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	struct iommu_table *tbl;

	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_iommu_driver_ops.attach_group(v2, a->grp,
							  VFIO_EMULATED_IOMMU));
	KUNIT_EXPECT_EQ(test, -ENODEV, fake_tce_attach(v2, bare));
	KUNIT_EXPECT_EQ(test, -EINVAL, fake_tce_attach(v2, v1only));

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(v2, a));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(v2));
	tbl = a->table_group.tables[0];

	KUNIT_EXPECT_EQ(test, -EBUSY, fake_tce_attach(v2, a));
	KUNIT_EXPECT_EQ(test, -EPERM, fake_tce_attach(v2, other));
	KUNIT_EXPECT_EQ(test, 0, other->stats.set_window);
	KUNIT_EXPECT_NULL(test, other->table_group.tables[0]);

	/* Nothing changed on the attached group */
	KUNIT_EXPECT_EQ(test, 1, a->stats.set_window);
	KUNIT_EXPECT_EQ(test, 0, a->stats.unset_window);
	KUNIT_EXPECT_PTR_EQ(test, tbl, a->table_group.tables[0]);

	/* v1 takes a single group */
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(v1, v1only));
	KUNIT_EXPECT_EQ(test, -EBUSY, fake_tce_attach(v1, v1only));
	KUNIT_EXPECT_EQ(test, -EBUSY, fake_tce_attach(v1, other));
	KUNIT_EXPECT_EQ(test, 0, other->stats.set_window);

	/* The refused groups were not recorded: release detaches only two */
	fake_tce_release(v1);
	fake_tce_release(v2);
	KUNIT_EXPECT_EQ(test, 1, a->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 0, other->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

/* set_window failing on the first window: the group is not attached */
static void attach_set_window_failure(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, a));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));

	b->set_window_fail = 0;
	KUNIT_EXPECT_EQ(test, -EIO, fake_tce_attach(c, b));
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, b->stats.set_window);

	/* It was not recorded as attached: a retry works */
	b->set_window_fail = -1;
	KUNIT_EXPECT_EQ(test, 0, fake_tce_attach(c, b));
	KUNIT_EXPECT_NOT_NULL(test, b->table_group.tables[0]);

	fake_tce_release(c);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

/*
 * A platform that programs a window but does not link the table to the
 * group (powernv, its link allocation failed): no invalidation would reach
 * that group, so the window is taken back from both groups and not made
 */
static void window_add_unlinked(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, a));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, b));
	b->set_window_unlinked = true;

	KUNIT_EXPECT_EQ(test, -ENOMEM, fake_tce_default_window(c));
	KUNIT_EXPECT_EQ(test, 1, b->stats.set_window);
	KUNIT_EXPECT_EQ(test, 1, b->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 1, a->stats.unset_window);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);

	b->set_window_unlinked = false;
	KUNIT_EXPECT_EQ(test, 0, fake_tce_default_window(c));
	KUNIT_EXPECT_PTR_EQ(test, a->table_group.tables[0],
			    b->table_group.tables[0]);
	fake_tce_release(c);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

/* Programming a new window fails on the second group: the first is unset */
static void window_add_failure_part_way(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, a));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, b));
	b->set_window_fail = 0;

	KUNIT_EXPECT_EQ(test, -EIO, fake_tce_default_window(c));
	KUNIT_EXPECT_EQ(test, 1, a->stats.set_window);
	KUNIT_EXPECT_EQ(test, 1, a->stats.unset_window);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);

	/* Still pending: the next use tries again */
	b->set_window_fail = -1;
	KUNIT_EXPECT_EQ(test, 0, fake_tce_default_window(c));
	KUNIT_EXPECT_NOT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_PTR_EQ(test, a->table_group.tables[0],
			    b->table_group.tables[0]);

	fake_tce_release(c);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

/*
 * Detach clears every TCE, releases each held page exactly once (page
 * refcounts), marks written pages dirty, invalidates, unsets the window and,
 * being the last group, frees the table.
 */
static void detach_clears_and_releases(struct kunit *test)
{
	enum { NPAGES = 4 };
	static const u32 flags[NPAGES] = {
		VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE,
		VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};
	static const unsigned long entries[NPAGES] = { 0, 1, 77, 4095 };
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct fake_tce_pin pins[NPAGES];
	struct tce_container *c;
	struct iommu_table *tbl;
	unsigned long uaddr;
	int i;

	uaddr = fake_tce_user_mem(test, NPAGES * PAGE_SIZE);
	fake_tce_set_memlock(test, 1UL << 30);
	c = fake_tce_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, fg));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));
	tbl = fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);

	for (i = 0; i < NPAGES; i++) {
		fake_tce_pin_page(test, uaddr + i * PAGE_SIZE, &pins[i]);
		ClearPageDirty(pins[i].page);
		KUNIT_ASSERT_EQ(test, 0,
				fake_tce_dma_map(test, c, pins[i].uaddr,
						 entries[i] * SZ_4K, SZ_4K,
						 flags[i]));
		KUNIT_EXPECT_EQ(test, pins[i].ref_base + pins[i].pin_delta,
				fake_tce_page_ref(pins[i].page));
	}
	KUNIT_ASSERT_EQ(test, NPAGES, fake_tce_live(tbl));
	fg->stats.xchg = 0;
	fg->stats.xchg_live = 0;
	fg->stats.kill = 0;

	fake_tce_detach(c, fg);

	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE >> IOMMU_PAGE_SHIFT_4K,
			fg->stats.xchg);
	KUNIT_EXPECT_EQ(test, NPAGES, fg->stats.xchg_live);
	/* One invalidation per batch of 512 entries that held a page */
	KUNIT_EXPECT_EQ(test, 2, fg->stats.kill);
	KUNIT_EXPECT_EQ(test, 1, fg->stats.unset_window);
	KUNIT_EXPECT_NULL(test, fg->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.live_at_free);

	for (i = 0; i < NPAGES; i++) {
		KUNIT_EXPECT_EQ_MSG(test, pins[i].ref_base,
				    fake_tce_page_ref(pins[i].page),
				    "page %d released once", i);
		KUNIT_EXPECT_EQ_MSG(test, flags[i] != VFIO_DMA_MAP_FLAG_READ,
				    !!PageDirty(pins[i].page),
				    "page %d dirty", i);
	}

	fake_tce_release(c);
}

/* Detaching one of two groups clears the shared window and unsets it there */
static void detach_one_of_two(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = fake_tce_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	struct iommu_table *tbl;

	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, a));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_attach(c, b));
	KUNIT_ASSERT_EQ(test, 0, fake_tce_default_window(c));
	tbl = a->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);

	fake_tce_detach(c, a);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_PTR_EQ(test, tbl, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 1, a->stats.tables_live);
	KUNIT_EXPECT_EQ(test, 0, b->stats.unset_window);
	/* Nothing was mapped: nothing to invalidate */
	KUNIT_EXPECT_EQ(test, 0, a->stats.kill);

	fake_tce_detach(c, b);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);

	fake_tce_release(c);
}

static struct kunit_case ownership_cases[] = {
	KUNIT_CASE(attach_defers_default_window),
	KUNIT_CASE(attach_sets_existing_windows),
	KUNIT_CASE(attach_refusals),
	KUNIT_CASE(attach_set_window_failure),
	KUNIT_CASE(window_add_unlinked),
	KUNIT_CASE(window_add_failure_part_way),
	KUNIT_CASE(detach_clears_and_releases),
	KUNIT_CASE(detach_one_of_two),
	{}
};

static struct kunit_suite ownership_suite = {
	.name = "vfio_spapr_tce_ownership",
	.test_cases = ownership_cases,
};

kunit_test_suite(ownership_suite);

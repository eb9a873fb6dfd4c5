// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: which windows a container programs into its groups on attach,
 * what it refuses, and what detach clears, releases and unsets.
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/vfio.h>

#include "fake_tce.h"
#include "tce_call.h"
#include "test_proc.h"

/* v1: attach leaves the default window pending; first use programs it */
static void attach_defers_default_window(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	struct iommu_table *tbl;

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_EXPECT_EQ(test, 0, fg->stats.create_table);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.set_window);
	KUNIT_EXPECT_NULL(test, fg->table_group.tables[0]);

	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	tbl = fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_EXPECT_EQ(test, 1, fg->stats.create_table);
	KUNIT_EXPECT_EQ(test, 1, fg->stats.set_window);
	KUNIT_EXPECT_EQ(test, IOMMU_PAGE_SHIFT_4K, tbl->it_page_shift);
	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE >> IOMMU_PAGE_SHIFT_4K,
			tbl->it_size);
	KUNIT_EXPECT_EQ(test, 0, tbl->it_offset);

	/* Only once */
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	KUNIT_EXPECT_EQ(test, 1, fg->stats.create_table);

	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
}

/* v2: a group attached later is given every existing window */
static void attach_sets_existing_windows(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, a->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	KUNIT_ASSERT_NOT_NULL(test, a->table_group.tables[0]);

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, b->grp));
	KUNIT_EXPECT_EQ(test, 1, b->stats.set_window);
	KUNIT_EXPECT_PTR_EQ(test, a->table_group.tables[0],
			    b->table_group.tables[0]);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[1]);
	/* The table was made once, by the first group */
	KUNIT_EXPECT_EQ(test, 1, a->stats.create_table);
	KUNIT_EXPECT_EQ(test, 0, b->stats.create_table);

	tce_call_release(test, c);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

static const struct fake_tce_opts other_ops_opts = {
	.tce32_size = FAKE_TCE32_SIZE, .ddw = true, .other_ops = true,
};

/*
 * Groups a container cannot take at all: not through an IOMMU, without a
 * table group, or without what v2 needs
 */
static void attach_refuses_unfit_group(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *v1only = fake_tce_group_new(test, NULL);
	struct fake_tce_group *bare = fake_tce_group_new(test,
		&(struct fake_tce_opts){ .no_iommudata = true });
	struct tce_container *v2 = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_iommu_driver_ops.attach_group(v2, a->grp,
							  VFIO_EMULATED_IOMMU));
	KUNIT_EXPECT_EQ(test, -ENODEV, tce_call_attach(v2, bare->grp));
	KUNIT_EXPECT_EQ(test, -EINVAL, tce_call_attach(v2, v1only->grp));
}

/*
 * Beside an attached group: the same group again, or one of an
 * incompatible platform, is refused and changes nothing; the refused
 * group was not recorded (release unsets the window on one group only)
 */
static void attach_refusals_change_nothing(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *other = fake_tce_group_new(test,
							  &other_ops_opts);
	struct tce_container *v2 = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	struct iommu_table *tbl;

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(v2, a->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(v2));
	tbl = a->table_group.tables[0];

	KUNIT_EXPECT_EQ(test, -EBUSY, tce_call_attach(v2, a->grp));
	KUNIT_EXPECT_EQ(test, -EPERM, tce_call_attach(v2, other->grp));
	KUNIT_EXPECT_EQ(test, 0, other->stats.set_window);
	KUNIT_EXPECT_NULL(test, other->table_group.tables[0]);

	/* Nothing changed on the attached group */
	KUNIT_EXPECT_EQ(test, 1, a->stats.set_window);
	KUNIT_EXPECT_EQ(test, 0, a->stats.unset_window);
	KUNIT_EXPECT_PTR_EQ(test, tbl, a->table_group.tables[0]);

	tce_call_release(test, v2);
	KUNIT_EXPECT_EQ(test, 1, a->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 0, other->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

/* v1 takes a single group */
static void attach_v1_single_group(struct kunit *test)
{
	struct fake_tce_group *other = fake_tce_group_new(test,
							  &other_ops_opts);
	struct fake_tce_group *v1only = fake_tce_group_new(test, NULL);
	struct tce_container *v1 = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(v1, v1only->grp));
	KUNIT_EXPECT_EQ(test, -EBUSY, tce_call_attach(v1, v1only->grp));
	KUNIT_EXPECT_EQ(test, -EBUSY, tce_call_attach(v1, other->grp));
	KUNIT_EXPECT_EQ(test, 0, other->stats.set_window);

	tce_call_release(test, v1);
	KUNIT_EXPECT_EQ(test, 0, other->stats.unset_window);
}

/*
 * A v2 container with group a attached and its default window made, and
 * group b, whose next set_window fails, not attached yet
 */
static struct tce_container *set_window_fail_env(struct kunit *test,
						 struct fake_tce_group **a,
						 struct fake_tce_group **b)
{
	struct tce_container *c;

	*a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	*b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, (*a)->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	(*b)->set_window_fail = 0;
	return c;
}

/* set_window failing on the first window: attach fails, nothing is set */
static void attach_fails_when_set_window_fails(struct kunit *test)
{
	struct fake_tce_group *a, *b;
	struct tce_container *c = set_window_fail_env(test, &a, &b);

	KUNIT_EXPECT_EQ(test, -EIO, tce_call_attach(c, b->grp));
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, b->stats.set_window);
}

/* The group that failed was not recorded as attached: a retry works */
static void attach_retry_after_set_window_failure(struct kunit *test)
{
	struct fake_tce_group *a, *b;
	struct tce_container *c = set_window_fail_env(test, &a, &b);

	KUNIT_ASSERT_EQ(test, -EIO, tce_call_attach(c, b->grp));
	b->set_window_fail = -1;
	KUNIT_EXPECT_EQ(test, 0, tce_call_attach(c, b->grp));
	KUNIT_EXPECT_NOT_NULL(test, b->table_group.tables[0]);
}

/*
 * Release unsets the windows on every attached group, the ones attached
 * after the window was made too, and frees the tables
 */
static void release_unsets_every_group(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, a->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, b->grp));
	KUNIT_ASSERT_NOT_NULL(test, b->table_group.tables[0]);

	tce_call_release(test, c);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 1, a->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 1, b->stats.unset_window);
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
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, a->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, b->grp));
	b->set_window_unlinked = true;

	KUNIT_EXPECT_EQ(test, -ENOMEM, tce_call_default_window(c));
	KUNIT_EXPECT_EQ(test, 1, b->stats.set_window);
	KUNIT_EXPECT_EQ(test, 1, b->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 1, a->stats.unset_window);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);

	b->set_window_unlinked = false;
	KUNIT_EXPECT_EQ(test, 0, tce_call_default_window(c));
	KUNIT_EXPECT_PTR_EQ(test, a->table_group.tables[0],
			    b->table_group.tables[0]);
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

/* Programming a new window fails on the second group: the first is unset */
static void window_add_failure_part_way(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, a->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, b->grp));
	b->set_window_fail = 0;

	KUNIT_EXPECT_EQ(test, -EIO, tce_call_default_window(c));
	KUNIT_EXPECT_EQ(test, 1, a->stats.set_window);
	KUNIT_EXPECT_EQ(test, 1, a->stats.unset_window);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);

	/* Still pending: the next use tries again */
	b->set_window_fail = -1;
	KUNIT_EXPECT_EQ(test, 0, tce_call_default_window(c));
	KUNIT_EXPECT_NOT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_PTR_EQ(test, a->table_group.tables[0],
			    b->table_group.tables[0]);

	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

#define DETACH_PAGES	4

/**
 * struct detach_env - a v1 container with one group and pages mapped
 * @fg: the group
 * @c: the container
 * @tbl: its default window
 * @pins: the mapped pages, each pinned by the case as well
 */
struct detach_env {
	struct fake_tce_group *fg;
	struct tce_container *c;
	struct iommu_table *tbl;
	struct test_proc_pin pins[DETACH_PAGES];
};

/* How each page is mapped, and where */
static const u32 detach_flags[DETACH_PAGES] = {
	VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE,
	VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
};

static const unsigned long detach_entries[DETACH_PAGES] = { 0, 1, 77, 4095 };

/* Map DETACH_PAGES pages, clean, then reset the exchange counters */
static void detach_env_init(struct kunit *test, struct detach_env *e)
{
	unsigned long uaddr;
	int i;

	e->fg = fake_tce_group_new(test, NULL);
	uaddr = test_proc_user_mem(test, DETACH_PAGES * PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	e->c = tce_call_open_enabled(test, e->fg->grp);
	e->tbl = e->fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, e->tbl);

	for (i = 0; i < DETACH_PAGES; i++) {
		struct test_proc_pin *pin = &e->pins[i];

		test_proc_pin_page(test, uaddr + i * PAGE_SIZE, pin);
		ClearPageDirty(pin->page);
		KUNIT_ASSERT_EQ(test, 0,
				tce_call_map(test, e->c, pin->uaddr,
					     detach_entries[i] * SZ_4K, SZ_4K,
					     detach_flags[i]));
		KUNIT_EXPECT_EQ(test, pin->ref_base + pin->pin_delta,
				test_proc_page_ref(pin->page));
	}
	KUNIT_ASSERT_EQ(test, DETACH_PAGES, fake_tce_live(e->tbl));
	e->fg->stats.xchg = 0;
	e->fg->stats.xchg_live = 0;
	e->fg->stats.kill = 0;
}

/*
 * Detach releases each held page exactly once (page refcounts), marks
 * written pages dirty, unsets the window and, being the last group, frees
 * the table with nothing live in it.
 */
static void detach_clears_and_releases(struct kunit *test)
{
	struct detach_env e;
	int i;

	detach_env_init(test, &e);
	tce_call_detach(e.c, e.fg->grp);

	KUNIT_EXPECT_EQ(test, 1, e.fg->stats.unset_window);
	KUNIT_EXPECT_NULL(test, e.fg->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.live_at_free);
	for (i = 0; i < DETACH_PAGES; i++) {
		KUNIT_EXPECT_EQ_MSG(test, e.pins[i].ref_base,
				    test_proc_page_ref(e.pins[i].page),
				    "page %d released once", i);
		KUNIT_EXPECT_EQ_MSG(test,
				    detach_flags[i] != VFIO_DMA_MAP_FLAG_READ,
				    !!PageDirty(e.pins[i].page),
				    "page %d dirty", i);
	}
}

/*
 * The cost of that detach: every entry of the window exchanged, the live
 * ones found, and one invalidation per batch of 512 entries that held a
 * page
 */
static void detach_cost(struct kunit *test)
{
	struct detach_env e;

	detach_env_init(test, &e);
	tce_call_detach(e.c, e.fg->grp);

	KUNIT_EXPECT_EQ(test, FAKE_TCE32_SIZE >> IOMMU_PAGE_SHIFT_4K,
			e.fg->stats.xchg);
	KUNIT_EXPECT_EQ(test, DETACH_PAGES, e.fg->stats.xchg_live);
	KUNIT_EXPECT_EQ(test, 2, e.fg->stats.kill);
}

/* Detaching one of two groups clears the shared window and unsets it there */
static void detach_one_of_two(struct kunit *test)
{
	struct fake_tce_group *a = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	struct iommu_table *tbl;

	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, a->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, b->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_default_window(c));
	tbl = a->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);

	tce_call_detach(c, a->grp);
	KUNIT_EXPECT_NULL(test, a->table_group.tables[0]);
	KUNIT_EXPECT_PTR_EQ(test, tbl, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 1, a->stats.tables_live);
	KUNIT_EXPECT_EQ(test, 0, b->stats.unset_window);
	/* Nothing was mapped: nothing to invalidate */
	KUNIT_EXPECT_EQ(test, 0, a->stats.kill);

	tce_call_detach(c, b->grp);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, a->stats.tables_live);
}

static struct kunit_case ownership_cases[] = {
	KUNIT_CASE(attach_defers_default_window),
	KUNIT_CASE(attach_sets_existing_windows),
	KUNIT_CASE(attach_refuses_unfit_group),
	KUNIT_CASE(attach_refusals_change_nothing),
	KUNIT_CASE(attach_v1_single_group),
	KUNIT_CASE(attach_fails_when_set_window_fails),
	KUNIT_CASE(attach_retry_after_set_window_failure),
	KUNIT_CASE(release_unsets_every_group),
	KUNIT_CASE(window_add_unlinked),
	KUNIT_CASE(window_add_failure_part_way),
	KUNIT_CASE(detach_clears_and_releases),
	KUNIT_CASE(detach_cost),
	KUNIT_CASE(detach_one_of_two),
	{}
};

static struct kunit_suite ownership_suite = {
	.name = "vfio_spapr_tce_ownership",
	.test_cases = ownership_cases,
};

kunit_test_suite(ownership_suite);

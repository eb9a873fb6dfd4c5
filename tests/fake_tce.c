// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fake sPAPR platform for the vfio_spapr_tce KUnit suites. See fake_tce.h.
 *
 * The tables are also a checker, like a recording writer: every TCE
 * written must map an IOMMU page aligned to its size whose every system
 * page is pinned (by MAP, or by the pre-registration it goes through),
 * and a write-enabled TCE never the zero page; every TCE cleared must
 * still map pinned memory, and on tables with tce_kill still so when its
 * invalidation comes: a page released before the IOMMU stopped reaching
 * it fails the case (KUNIT_FAIL), at the call where it happens.
 *
 * Locking: a fake group and its tables are used by one test case at a time,
 * under the container lock of the code under test; the counters need no
 * lock of their own.
 */

#include <kunit/resource.h>
#include <kunit/test-bug.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "fake_tce.h"

#define FAKE_MAX_LEVELS	5
/* Entries per leaf of a fake table with indirect levels */
#define FAKE_LEAF	16

/**
 * struct fake_tce_table - an iommu_table whose entries live in an array
 * @tbl: the table handed to the code under test; first, so that the
 *	iommu core's kfree() of it frees the whole fake
 * @owner: the fake group whose create_table made it; counts its events
 * @hpa: per entry, the host physical address it maps
 * @dir: per entry, the DMA direction; DMA_NONE is an empty entry
 * @stale: per entry, tables with tce_kill: the address a cleared entry
 *	mapped until its invalidation, which the IOMMU may still reach; 0
 *	if none
 */
struct fake_tce_table {
	struct iommu_table tbl;
	struct fake_tce_group *owner;
	unsigned long *hpa;
	u8 *dir;
	unsigned long *stale;
};

static struct fake_tce_table *to_fake_table(struct iommu_table *tbl)
{
	return container_of(tbl, struct fake_tce_table, tbl);
}

static struct fake_tce_group *to_fake_group(struct iommu_table_group *tg)
{
	return container_of(tg, struct fake_tce_group, table_group);
}

/*
 * Is every system page of [hpa, hpa + size) pinned? The zero page, which
 * pinning read-only memory that was never written gives, is never freed
 * and counts no pins.
 */
static bool fake_range_pinned(unsigned long hpa, unsigned long size)
{
	unsigned long pfn;

	for (pfn = PHYS_PFN(hpa); pfn <= PHYS_PFN(hpa + size - 1); pfn++)
		if (!pfn_valid(pfn) ||
		    (!is_zero_pfn(pfn) &&
		     !folio_maybe_dma_pinned(page_folio(pfn_to_page(pfn)))))
			return false;
	return true;
}

/* The checker: a TCE is about to map @hpa for @dir at entry @index */
static void fake_check_write(struct iommu_table *tbl, long index,
			     unsigned long hpa, enum dma_data_direction dir)
{
	struct kunit *test = kunit_get_current_test();
	unsigned long size = IOMMU_PAGE_SIZE(tbl);

	if (!test)
		return;
	if (hpa & (size - 1))
		KUNIT_FAIL(test, "TCE %ld: address %#lx not aligned to its IOMMU page (%#lx)",
			   index, hpa, size);
	else if (!fake_range_pinned(hpa, size))
		KUNIT_FAIL(test, "TCE %ld maps %#lx..%#lx, not all pinned",
			   index, hpa, hpa + size - 1);
	if (dir != DMA_TO_DEVICE && is_zero_pfn(PHYS_PFN(hpa)))
		KUNIT_FAIL(test, "TCE %ld lets the device write the zero page",
			   index);
}

/*
 * The checker: entry @i (from it_offset) is cleared. What it mapped must
 * still be pinned; on tables with tce_kill, until the invalidation too.
 */
static void fake_check_clear(struct fake_tce_table *ft, unsigned long i)
{
	struct kunit *test = kunit_get_current_test();
	struct iommu_table *tbl = &ft->tbl;

	if (ft->dir[i] == DMA_NONE)
		return;
	if (test && !fake_range_pinned(ft->hpa[i], IOMMU_PAGE_SIZE(tbl)))
		KUNIT_FAIL(test, "TCE %lu cleared after its page %#lx was released",
			   i + tbl->it_offset, ft->hpa[i]);
	if (tbl->it_ops->tce_kill)
		ft->stale[i] = ft->hpa[i];
}

static int fake_xchg_no_kill(struct iommu_table *tbl, long index,
			     unsigned long *hpa,
			     enum dma_data_direction *direction)
{
	struct fake_tce_table *ft = to_fake_table(tbl);
	unsigned long i = index - tbl->it_offset;
	unsigned long old_hpa = ft->hpa[i];
	enum dma_data_direction old_dir = ft->dir[i];

	if (*direction != DMA_NONE && index == ft->owner->write_fail_entry)
		return -EIO;

	ft->owner->stats.xchg++;
	if (old_dir != DMA_NONE)
		ft->owner->stats.xchg_live++;
	fake_check_clear(ft, i);
	if (*direction != DMA_NONE)
		fake_check_write(tbl, index, *hpa, *direction);

	ft->hpa[i] = *direction == DMA_NONE ? 0 : *hpa;
	ft->dir[i] = *direction;
	*hpa = old_hpa;
	*direction = old_dir;
	return 0;
}

static int fake_set(struct iommu_table *tbl, long index, long npages,
		    unsigned long uaddr, enum dma_data_direction direction,
		    unsigned long attrs)
{
	struct fake_tce_table *ft = to_fake_table(tbl);
	struct fake_tce_stats *st = &ft->owner->stats;
	long fail = ft->owner->write_fail_entry, k;
	unsigned long i;

	if (fail >= index && fail < index + npages)
		return -EIO;

	st->set++;
	st->set_entries += npages;
	st->set_max = max_t(unsigned long, st->set_max, npages);
	for (k = 0; k < npages; k++) {
		i = index - tbl->it_offset + k;
		if (ft->dir[i] != DMA_NONE)
			st->set_over_live++;
		ft->hpa[i] = __pa(uaddr) + (k << tbl->it_page_shift);
		fake_check_write(tbl, index + k, ft->hpa[i], direction);
		ft->dir[i] = direction == DMA_TO_DEVICE ? DMA_TO_DEVICE :
							  DMA_BIDIRECTIONAL;
	}
	return 0;
}

static void fake_clear(struct iommu_table *tbl, long index, long npages)
{
	struct fake_tce_table *ft = to_fake_table(tbl);
	unsigned long i = index - tbl->it_offset;
	long k;

	ft->owner->stats.clear++;
	ft->owner->stats.clear_entries += npages;
	for (k = 0; k < npages; k++)
		fake_check_clear(ft, i + k);
	memset(&ft->hpa[i], 0, npages * sizeof(*ft->hpa));
	memset(&ft->dir[i], DMA_NONE, npages);
}

static void fake_tce_kill(struct iommu_table *tbl, unsigned long index,
			  unsigned long pages)
{
	struct fake_tce_table *ft = to_fake_table(tbl);
	struct fake_tce_stats *st = &ft->owner->stats;
	struct kunit *test = kunit_get_current_test();
	unsigned long i, first = index - tbl->it_offset;

	st->kill++;
	st->kill_entry = index;
	st->kill_pages = pages;
	for (i = first; i < first + pages && i < tbl->it_size; i++) {
		if (!ft->stale[i])
			continue;
		if (test && !fake_range_pinned(ft->stale[i],
					       IOMMU_PAGE_SIZE(tbl)))
			KUNIT_FAIL(test, "TCE %lu: page %#lx released before its invalidation",
				   i + tbl->it_offset, ft->stale[i]);
		ft->stale[i] = 0;
	}
}

/*
 * The userspace view. With indirect levels it is kept in leaves of
 * FAKE_LEAF entries stored in reverse order: as in a real multi-level
 * table, the last entry of one leaf and the first of the next are not
 * neighbours in memory.
 */
static __be64 *fake_useraddrptr(struct iommu_table *tbl, long index,
				bool alloc)
{
	unsigned long i = index - tbl->it_offset;

	if (tbl->it_indirect_levels)
		i = tbl->it_size - FAKE_LEAF - round_down(i, FAKE_LEAF) +
		    i % FAKE_LEAF;
	return &tbl->it_userspace[i];
}

static void fake_table_free(struct iommu_table *tbl)
{
	struct fake_tce_table *ft = to_fake_table(tbl);

	ft->owner->stats.live_at_free += fake_tce_live(tbl);
	ft->owner->stats.tables_live--;
	vfree(ft->hpa);
	vfree(ft->dir);
	vfree(ft->stale);
	vfree(tbl->it_userspace);
}

static struct iommu_table_ops fake_table_ops = {
	.xchg_no_kill	= fake_xchg_no_kill,
	.tce_kill	= fake_tce_kill,
	.useraddrptr	= fake_useraddrptr,
	.free		= fake_table_free,
};

/* Written through a hypervisor: runs and ranges, no invalidation */
static struct iommu_table_ops fake_hv_table_ops = {
	.set		= fake_set,
	.xchg_no_kill	= fake_xchg_no_kill,
	.useraddrptr	= fake_useraddrptr,
	.clear		= fake_clear,
	.free		= fake_table_free,
};

static unsigned long fake_get_table_size(u32 page_shift, u64 window_size,
					 u32 levels)
{
	if (!levels || levels > FAKE_MAX_LEVELS || !window_size)
		return 0;
	return PAGE_ALIGN((window_size >> page_shift) * sizeof(u64));
}

/* pseries' answer for more than one level: a size no one can charge */
static unsigned long fake_one_level_table_size(u32 page_shift, u64 window_size,
					       u32 levels)
{
	if (levels > 1)
		return ~0U;
	return fake_get_table_size(page_shift, window_size, levels);
}

static long fake_create_table(struct iommu_table_group *table_group, int num,
			      u32 page_shift, u64 window_size, u32 levels,
			      struct iommu_table **ptbl)
{
	struct fake_tce_group *fg = to_fake_group(table_group);
	unsigned long entries = window_size >> page_shift;
	struct fake_tce_table *ft;

	if (!fake_get_table_size(page_shift, window_size, levels) ||
	    (levels > 1 && (fg->one_level || entries % FAKE_LEAF)))
		return -EINVAL;

	ft = kzalloc(sizeof(*ft), GFP_KERNEL);
	if (!ft)
		return -ENOMEM;
	ft->hpa = vzalloc(entries * sizeof(*ft->hpa));
	ft->dir = vzalloc(entries);
	ft->stale = vzalloc(entries * sizeof(*ft->stale));
	ft->tbl.it_userspace = vzalloc(entries * sizeof(__be64));
	if (!ft->hpa || !ft->dir || !ft->stale || !ft->tbl.it_userspace) {
		vfree(ft->hpa);
		vfree(ft->dir);
		vfree(ft->stale);
		vfree(ft->tbl.it_userspace);
		kfree(ft);
		return -ENOMEM;
	}
	/* DMA_BIDIRECTIONAL is 0: an empty entry must say DMA_NONE */
	memset(ft->dir, DMA_NONE, entries);

	ft->owner = fg;
	ft->tbl.it_page_shift = page_shift;
	ft->tbl.it_size = entries;
	if (levels > 1) {
		ft->tbl.it_indirect_levels = levels - 1;
		ft->tbl.it_level_size = FAKE_LEAF;
	}
	ft->tbl.it_offset = (num ? FAKE_DDW_BASE : table_group->tce32_start)
			    >> page_shift;
	ft->tbl.it_allocated_size = fake_get_table_size(page_shift,
							window_size, levels);
	ft->tbl.it_ops = fg->hv ? &fake_hv_table_ops : &fake_table_ops;
	kref_init(&ft->tbl.it_kref);

	fg->stats.create_table++;
	fg->stats.tables_live++;
	/*
	 * Like pseries, where creating a table creates the window in
	 * firmware: the group holds the table from now on, and only
	 * unset_window() takes it back
	 */
	if (fg->hv)
		table_group->tables[num] = iommu_tce_table_get(&ft->tbl);
	*ptbl = &ft->tbl;
	return 0;
}

static long fake_set_window(struct iommu_table_group *table_group, int num,
			    struct iommu_table *tbl)
{
	struct fake_tce_group *fg = to_fake_group(table_group);

	if (fg->set_window_fail == 0)
		return -EIO;
	if (fg->set_window_fail > 0)
		fg->set_window_fail--;
	/* pseries: only the group that created the table has the window */
	if (fg->hv)
		return tbl == table_group->tables[num] ? 0 : -EPERM;
	if (WARN_ON(table_group->tables[num]))
		return -EBUSY;
	fg->stats.set_window++;
	if (fg->set_window_unlinked)
		return 0;

	/* Like the real platforms, a programmed window holds a reference */
	table_group->tables[num] = iommu_tce_table_get(tbl);
	return 0;
}

static long fake_unset_window(struct iommu_table_group *table_group, int num)
{
	struct iommu_table *tbl = table_group->tables[num];

	to_fake_group(table_group)->stats.unset_window++;
	if (!tbl)
		return 0;
	table_group->tables[num] = NULL;
	iommu_tce_table_put(tbl);
	return 0;
}

static struct iommu_table_group_ops fake_group_ops = {
	.get_table_size	= fake_get_table_size,
	.create_table	= fake_create_table,
	.set_window	= fake_set_window,
	.unset_window	= fake_unset_window,
};

/* Tables of one level only, sized as pseries sizes them */
static struct iommu_table_group_ops fake_one_level_group_ops = {
	.get_table_size	= fake_one_level_table_size,
	.create_table	= fake_create_table,
	.set_window	= fake_set_window,
	.unset_window	= fake_unset_window,
};

/* The same behaviour behind another ops pointer: an incompatible platform */
static struct iommu_table_group_ops fake_other_group_ops = {
	.get_table_size	= fake_get_table_size,
	.create_table	= fake_create_table,
	.set_window	= fake_set_window,
	.unset_window	= fake_unset_window,
};

/* A platform whose windows cannot be changed: no create/set/unset */
static struct iommu_table_group_ops fake_no_window_ops = {
	.get_table_size	= fake_get_table_size,
};

const struct fake_tce_opts fake_tce_ddw_opts = {
	.tce32_size = FAKE_TCE32_SIZE,
	.ddw = true,
};

const struct fake_tce_opts fake_tce_pseries_opts = {
	.tce32_size = FAKE_TCE32_SIZE,
	.ddw = true,
	.hv = true,
	.one_level = true,
};

KUNIT_DEFINE_ACTION_WRAPPER(fake_group_put, iommu_group_put,
			    struct iommu_group *);

/**
 * fake_tce_group_new() - make a fake PE for the current test case
 * @test: the test case; owns the result
 * @opts: its properties; NULL for a v1-only group with the default window
 *
 * Create fake groups before the container they are attached to: test
 * resources are released in reverse order.
 *
 * Return: the fake group (the case fails if it cannot be made).
 */
struct fake_tce_group *fake_tce_group_new(struct kunit *test,
					  const struct fake_tce_opts *opts)
{
	static const struct fake_tce_opts defaults = {
		.tce32_size = FAKE_TCE32_SIZE,
	};
	struct fake_tce_group *fg;

	if (!opts)
		opts = &defaults;

	fg = kunit_kzalloc(test, sizeof(*fg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fg);

	fg->set_window_fail = -1;
	fg->write_fail_entry = -1;
	fg->hv = opts->hv;
	fg->one_level = opts->one_level;
	fg->table_group.tce32_start = 0;
	fg->table_group.tce32_size = opts->tce32_size;
	fg->table_group.ops = opts->other_ops ? &fake_other_group_ops :
			      opts->no_windows ? &fake_no_window_ops :
			      opts->one_level ? &fake_one_level_group_ops :
						 &fake_group_ops;
	if (opts->ddw) {
		fg->table_group.pgsizes = SZ_4K | SZ_64K | SZ_2M | SZ_16M;
		fg->table_group.max_dynamic_windows_supported =
			IOMMU_TABLE_GROUP_MAX_TABLES;
		fg->table_group.max_levels = opts->one_level ? 1 :
					     opts->max_levels ?:
					     FAKE_MAX_LEVELS;
	} else {
		fg->table_group.pgsizes = SZ_4K;
	}

	fg->grp = iommu_group_alloc();
	KUNIT_ASSERT_FALSE(test, IS_ERR(fg->grp));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, fake_group_put,
						  fg->grp));
	fg->table_group.group = fg->grp;
	if (!opts->no_iommudata)
		iommu_group_set_iommudata(fg->grp, &fg->table_group, NULL);
	return fg;
}

/* See FAKE_TCE_PLATFORM_PARAMS() */
const bool fake_tce_platforms[2] = { false, true };

/**
 * fake_tce_platform_desc() - name one kind of table
 * @hv: an element of fake_tce_platforms
 * @desc: where the name is written
 */
void fake_tce_platform_desc(const bool *hv, char *desc)
{
	strscpy(desc, *hv ? "hv" : "exchange", KUNIT_PARAM_DESC_SIZE);
}

/**
 * fake_tce_param_hv() - the kind of table a parameterised case runs on
 * @test: the test case
 *
 * Return: true for hv tables; false for exchange tables and for cases
 * without the parameter (none, or one of their own).
 */
bool fake_tce_param_hv(struct kunit *test)
{
	return test->param_value == &fake_tce_platforms[1];
}

/**
 * fake_tce_dir() - the DMA direction one TCE of a fake table grants
 * @tbl: a table made by a fake group
 * @entry: entry number, including it_offset
 *
 * Return: the direction, DMA_NONE if the entry is empty.
 */
enum dma_data_direction fake_tce_dir(struct iommu_table *tbl,
				     unsigned long entry)
{
	return to_fake_table(tbl)->dir[entry - tbl->it_offset];
}

/**
 * fake_tce_get() - read one TCE of a fake table
 * @tbl: a table made by a fake group
 * @entry: entry number, including it_offset
 *
 * Return: the host physical address the entry maps, 0 if empty.
 */
unsigned long fake_tce_get(struct iommu_table *tbl, unsigned long entry)
{
	return to_fake_table(tbl)->hpa[entry - tbl->it_offset];
}

/**
 * fake_tce_user_view() - read one entry of a fake table's userspace view
 * @tbl: a table made by a fake group
 * @entry: entry number, including it_offset
 *
 * Return: the user address the view holds for the entry, 0 if none.
 */
unsigned long fake_tce_user_view(struct iommu_table *tbl, unsigned long entry)
{
	return be64_to_cpu(*fake_useraddrptr(tbl, entry, false));
}

/**
 * fake_tce_live() - count the live entries of a fake table
 * @tbl: a table made by a fake group
 *
 * Return: the number of entries whose direction is not DMA_NONE.
 */
unsigned long fake_tce_live(struct iommu_table *tbl)
{
	struct fake_tce_table *ft = to_fake_table(tbl);
	unsigned long i, n = 0;

	for (i = 0; i < tbl->it_size; i++)
		n += ft->dir[i] != DMA_NONE;
	return n;
}


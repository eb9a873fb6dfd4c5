// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: v1 VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA: the TCEs written,
 * the pins taken and released (page refcounts), one invalidation per call,
 * every errno, and that a failure part-way leaves nothing behind.
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/vfio.h>

#include "fake_tce.h"
#include "tce_call.h"
#include "test_proc.h"

FAKE_TCE_PLATFORM_PARAMS();

#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)
#define TCE_SZ	IOMMU_PAGE_SIZE_4K
#define TCES_PER_PAGE	(PAGE_SIZE / TCE_SZ)

/**
 * struct map_env - an enabled v1 container and user memory to map
 * @fg: its fake group
 * @c: the container
 * @tbl: the default window, created
 * @ua: user memory, touched
 * @size: bytes of it
 */
struct map_env {
	struct fake_tce_group *fg;
	struct tce_container *c;
	struct iommu_table *tbl;
	unsigned long ua;
	unsigned long size;
};

static void map_env_init_hv(struct kunit *test, struct map_env *e,
			    unsigned long size, u32 tce32, bool hv)
{
	struct fake_tce_opts opts = { .tce32_size = tce32, .hv = hv };
	unsigned long i;

	e->fg = fake_tce_group_new(test, &opts);
	e->size = size;
	e->ua = test_proc_user_mem(test, size);
	for (i = 0; i < size; i += PAGE_SIZE)
		KUNIT_ASSERT_EQ(test, 0, put_user(1, (u8 __user *)e->ua + i));
	test_proc_set_memlock(test, 1UL << 30);
	e->c = tce_call_open_enabled(test, e->fg->grp);
	e->tbl = e->fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, e->tbl);
}

/* On the kind of table the case's parameter names (exchange if none) */
static void map_env_init(struct kunit *test, struct map_env *e,
			 unsigned long size, u32 tce32)
{
	map_env_init_hv(test, e, size, tce32, fake_tce_param_hv(test));
}

/* The refcounts of the first @n pages of @e's memory, into @base */
static void map_env_refs(struct kunit *test, const struct map_env *e,
			 unsigned long n, int *base)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		test_proc_page_of(test, e->ua + i * PAGE_SIZE, &base[i]);
}

/* Each of the first @n pages is back at its refcount in @base: released */
static void map_env_expect_released(struct kunit *test,
				    const struct map_env *e, unsigned long n,
				    const int *base)
{
	unsigned long i;
	int ref;

	for (i = 0; i < n; i++) {
		test_proc_page_of(test, e->ua + i * PAGE_SIZE, &ref);
		KUNIT_EXPECT_EQ_MSG(test, base[i], ref, "page %lu released", i);
	}
}

/*
 * What one pin adds to the refcount of this page. One call takes one pin
 * per system page, which the TCEs of that page share.
 */
static int pin_unit(struct page *page)
{
	return folio_test_large(page_folio(page)) ? 1 : GUP_PIN_COUNTING_BIAS;
}

#define MAP_IOVA	0x10000UL
#define MAP_PAGES	4
#define MAP_TCES	(MAP_PAGES * TCES_PER_PAGE)

/* Each TCE maps its own IOMMU page of the user buffer, which stays pinned */
static void map_writes_tces_and_pins(struct kunit *test)
{
	struct map_env e;
	int base[MAP_PAGES], ref;
	struct page *page;
	unsigned long i;

	map_env_init(test, &e, MAP_PAGES * PAGE_SIZE, FAKE_TCE32_SIZE);
	map_env_refs(test, &e, MAP_PAGES, base);

	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, MAP_IOVA,
					      MAP_TCES * TCE_SZ, RW));
	KUNIT_EXPECT_EQ(test, MAP_TCES, fake_tce_live(e.tbl));
	for (i = 0; i < MAP_TCES; i++) {
		unsigned long ua = e.ua + i * TCE_SZ;

		page = test_proc_page_of(test, ua, &ref);
		KUNIT_EXPECT_EQ_MSG(test, page_to_phys(page) + (ua & ~PAGE_MASK),
				    fake_tce_get(e.tbl, MAP_IOVA / TCE_SZ + i),
				    "TCE %lu", i);
	}
	for (i = 0; i < MAP_PAGES; i++) {
		page = test_proc_page_of(test, e.ua + i * PAGE_SIZE, &ref);
		KUNIT_EXPECT_EQ_MSG(test, base[i] + pin_unit(page), ref,
				    "page %lu pinned once", i);
	}
}

/* UNMAP empties the TCEs and releases every page MAP pinned */
static void unmap_clears_tces_and_releases(struct kunit *test)
{
	struct map_env e;
	int base[MAP_PAGES];

	map_env_init(test, &e, MAP_PAGES * PAGE_SIZE, FAKE_TCE32_SIZE);
	map_env_refs(test, &e, MAP_PAGES, base);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, MAP_IOVA,
					      MAP_TCES * TCE_SZ, RW));

	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, MAP_IOVA,
						MAP_TCES * TCE_SZ));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
	map_env_expect_released(test, &e, MAP_PAGES, base);
}

/*
 * The cost of one MAP: on exchange tables one invalidation, of exactly the
 * range; on hv tables runs, at most one per system page, and no exchange
 */
static void map_cost(struct kunit *test)
{
	struct map_env e;

	map_env_init(test, &e, MAP_PAGES * PAGE_SIZE, FAKE_TCE32_SIZE);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, MAP_IOVA,
					      MAP_TCES * TCE_SZ, RW));
	if (e.fg->hv) {
		KUNIT_EXPECT_EQ(test, 0, e.fg->stats.xchg);
		KUNIT_EXPECT_EQ(test, MAP_TCES, e.fg->stats.set_entries);
		KUNIT_EXPECT_LE(test, e.fg->stats.set, MAP_PAGES);
		KUNIT_EXPECT_EQ(test, 0, e.fg->stats.set_over_live);
	} else {
		KUNIT_EXPECT_EQ(test, 1, e.fg->stats.kill);
		KUNIT_EXPECT_EQ(test, MAP_IOVA / TCE_SZ,
				e.fg->stats.kill_entry);
		KUNIT_EXPECT_EQ(test, MAP_TCES, e.fg->stats.kill_pages);
	}
}

/*
 * The cost of one UNMAP: on exchange tables one more invalidation, of the
 * range; on hv tables one clear() for the range, and no exchange
 */
static void unmap_cost(struct kunit *test)
{
	struct map_env e;

	map_env_init(test, &e, MAP_PAGES * PAGE_SIZE, FAKE_TCE32_SIZE);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, MAP_IOVA,
					      MAP_TCES * TCE_SZ, RW));
	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, MAP_IOVA,
						MAP_TCES * TCE_SZ));
	if (e.fg->hv) {
		KUNIT_EXPECT_EQ(test, 0, e.fg->stats.xchg);
		KUNIT_EXPECT_EQ(test, 1, e.fg->stats.clear);
		KUNIT_EXPECT_EQ(test, MAP_TCES, e.fg->stats.clear_entries);
	} else {
		KUNIT_EXPECT_EQ(test, 2, e.fg->stats.kill);
		KUNIT_EXPECT_EQ(test, MAP_TCES, e.fg->stats.kill_pages);
	}
}

/* A buffer that starts inside a system page: every TCE still points right */
static void map_unaligned_start(struct kunit *test)
{
	unsigned long n = 2 * TCES_PER_PAGE + 3, off = 5 * TCE_SZ, i;
	struct map_env e;
	struct page *page;
	int base[4], ref;

	if (TCES_PER_PAGE == 1)
		kunit_skip(test, "system pages are IOMMU pages");
	map_env_init(test, &e, 4 * PAGE_SIZE, FAKE_TCE32_SIZE);
	map_env_refs(test, &e, 4, base);

	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua + off, 0,
					      n * TCE_SZ,
						  VFIO_DMA_MAP_FLAG_READ));
	for (i = 0; i < n; i++) {
		unsigned long ua = e.ua + off + i * TCE_SZ;

		page = test_proc_page_of(test, ua, &ref);
		KUNIT_EXPECT_EQ_MSG(test, page_to_phys(page) + (ua & ~PAGE_MASK),
				    fake_tce_get(e.tbl, i), "TCE %lu", i);
	}
	/* The first page holds TCES_PER_PAGE - 5 TCEs, the last 8: one pin */
	page = test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base[0] + pin_unit(page), ref);
	page = test_proc_page_of(test, e.ua + 2 * PAGE_SIZE, &ref);
	KUNIT_EXPECT_EQ(test, base[2] + pin_unit(page), ref);
	test_proc_page_of(test, e.ua + 3 * PAGE_SIZE, &ref);
	KUNIT_EXPECT_EQ(test, base[3], ref);

	tce_call_release(test, e.c);
	map_env_expect_released(test, &e, 4, base);
}

/*
 * A page stays pinned while any TCE maps it, and every pin goes with the
 * last: where the TCEs of a page share a pin, these are its hand-overs.
 * Needs 8 IOMMU pages per system page at least.
 */
static void map_pinned_env(struct kunit *test, struct map_env *e,
			   int *base, int *base1)
{
	if (TCES_PER_PAGE < 8)
		kunit_skip(test, "fewer than 8 IOMMU pages per system page");
	map_env_init(test, e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	test_proc_page_of(test, e->ua, base);
	test_proc_page_of(test, e->ua + PAGE_SIZE, base1);
}

/* One call's TCEs of a page unmapped piecemeal, first entry first */
static void map_page_pinned_piecemeal(struct kunit *test)
{
	/* iova ranges to unmap, in this order */
	static const struct { unsigned long iova, size; } steps[] = {
		{ 0, TCE_SZ },			/* the first TCE of the call */
		{ 2 * TCE_SZ, 3 * TCE_SZ },	/* from its middle */
		{ TCE_SZ, TCE_SZ },
		{ 5 * TCE_SZ, PAGE_SIZE - 5 * TCE_SZ },
	};
	int base, base1, ref, i;
	struct map_env e;

	map_pinned_env(test, &e, &base, &base1);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0,
					      PAGE_SIZE, RW));
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c,
							steps[i].iova,
							steps[i].size));
		test_proc_page_of(test, e.ua, &ref);
		if (i < ARRAY_SIZE(steps) - 1)
			KUNIT_EXPECT_GT_MSG(test, ref, base, "step %d", i);
	}
	KUNIT_EXPECT_EQ(test, base, ref);
}

/* A page mapped by two calls, the first call's entries unmapped first */
static void map_page_pinned_by_two_calls(struct kunit *test)
{
	unsigned long half = TCES_PER_PAGE / 2 * TCE_SZ, second = 0x100000;
	int base, base1, ref;
	struct map_env e;

	map_pinned_env(test, &e, &base, &base1);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, second,
					      half, RW));
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua + half,
					      second + half,
					      PAGE_SIZE - half, RW));
	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, second, half));
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_GT(test, ref, base);
	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, second + half,
						PAGE_SIZE - half));
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base, ref);
}

/* Half of page 0, then half of page 1: page 0's entries go first */
static void map_page_pinned_across_pages(struct kunit *test)
{
	unsigned long half = TCES_PER_PAGE / 2 * TCE_SZ;
	int base, base1, ref;
	struct map_env e;

	map_pinned_env(test, &e, &base, &base1);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua + half, 0,
					      PAGE_SIZE, RW));
	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, TCE_SZ,
						half - TCE_SZ));
	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, 0, TCE_SZ));
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base, ref);
	test_proc_page_of(test, e.ua + PAGE_SIZE, &ref);
	KUNIT_EXPECT_GT(test, ref, base1);
	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, half,
						PAGE_SIZE - half));
	test_proc_page_of(test, e.ua + PAGE_SIZE, &ref);
	KUNIT_EXPECT_EQ(test, base1, ref);
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
}

/* More than one pin batch (512 system pages) in one call */
#define MANY_PAGES	600
#define MANY_SIZE	(MANY_PAGES * PAGE_SIZE)
#define MANY_TCES	(MANY_SIZE / TCE_SZ)

/* One MAP of more than a pin batch writes every entry and pins the last page */
static void map_many_batches_maps_every_entry(struct kunit *test)
{
	unsigned long last;
	struct map_env e;
	int base_last, ref;

	map_env_init(test, &e, MANY_SIZE, 1U << 30);
	last = e.ua + MANY_SIZE - PAGE_SIZE;
	test_proc_page_of(test, last, &base_last);

	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0, MANY_SIZE,
					      RW));
	KUNIT_EXPECT_EQ(test, MANY_TCES, fake_tce_live(e.tbl));
	test_proc_page_of(test, last, &ref);
	KUNIT_EXPECT_GT(test, ref, base_last);
}

/* One UNMAP of more than a pin batch clears every entry, releases every page */
static void unmap_many_batches_releases_every_page(struct kunit *test)
{
	int base_first, base_last, ref;
	unsigned long last;
	struct map_env e;

	map_env_init(test, &e, MANY_SIZE, 1U << 30);
	last = e.ua + MANY_SIZE - PAGE_SIZE;
	test_proc_page_of(test, e.ua, &base_first);
	test_proc_page_of(test, last, &base_last);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0, MANY_SIZE,
					      RW));

	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, 0, MANY_SIZE));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base_first, ref);
	test_proc_page_of(test, last, &ref);
	KUNIT_EXPECT_EQ(test, base_last, ref);
}

/*
 * The cost of that MAP: on exchange tables the invalidation covers every
 * entry; on hv tables set() writes every entry once, none over a live one
 */
static void map_many_batches_cost(struct kunit *test)
{
	struct map_env e;

	map_env_init(test, &e, MANY_SIZE, 1U << 30);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0, MANY_SIZE,
					      RW));
	if (e.fg->hv) {
		KUNIT_EXPECT_EQ(test, MANY_TCES, e.fg->stats.set_entries);
		KUNIT_EXPECT_EQ(test, 0, e.fg->stats.set_over_live);
	} else {
		KUNIT_EXPECT_EQ(test, MANY_TCES, e.fg->stats.kill_pages);
	}
}

/* Mapping over a live entry: -EBUSY, the old mapping intact, nothing new */
static void map_over_mapping_busy(struct kunit *test)
{
	struct map_env e;
	unsigned long old_tce, half = PAGE_SIZE / 2;
	int base0, base1, ref0, ref1;

	map_env_init(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	test_proc_page_of(test, e.ua, &base0);
	test_proc_page_of(test, e.ua + PAGE_SIZE, &base1);

	/* Map the second half of page 0 at iova [half, PAGE_SIZE) */
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua + half, half,
					      half, RW));
	test_proc_page_of(test, e.ua, &ref0);
	old_tce = fake_tce_get(e.tbl, half / TCE_SZ);

	/* Page 1 at iova [0, PAGE_SIZE): collides at iova half */
	KUNIT_EXPECT_EQ(test, -EBUSY,
			tce_call_map(test, e.c, e.ua + PAGE_SIZE, 0,
				     PAGE_SIZE, RW));
	KUNIT_EXPECT_EQ(test, old_tce, fake_tce_get(e.tbl, half / TCE_SZ));
	KUNIT_EXPECT_EQ(test, half / TCE_SZ, fake_tce_live(e.tbl));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_get(e.tbl, 0));
	test_proc_page_of(test, e.ua + PAGE_SIZE, &ref1);
	KUNIT_EXPECT_EQ(test, base1, ref1);
	test_proc_page_of(test, e.ua, &ref1);
	KUNIT_EXPECT_EQ(test, ref0, ref1);

	tce_call_release(test, e.c);
	test_proc_page_of(test, e.ua, &ref0);
	KUNIT_EXPECT_EQ(test, base0, ref0);
}

#define FAIL_PAGES	3
#define FAIL_TCES	(FAIL_PAGES * TCES_PER_PAGE)

/*
 * The platform fails writing an entry near the end of a MAP: -EIO, and
 * everything the call did is undone, its TCEs and its pins
 */
static void map_failing_part_way_leaves_nothing(struct kunit *test)
{
	int base[FAIL_PAGES];
	struct map_env e;

	map_env_init(test, &e, FAIL_PAGES * PAGE_SIZE, FAKE_TCE32_SIZE);
	map_env_refs(test, &e, FAIL_PAGES, base);

	e.fg->write_fail_entry = FAIL_TCES - 2;
	KUNIT_EXPECT_EQ(test, -EIO, tce_call_map(test, e.c, e.ua, 0,
						 FAIL_TCES * TCE_SZ, RW));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
	map_env_expect_released(test, &e, FAIL_PAGES, base);
}

/* After such a failure the same range maps once the platform behaves */
static void map_after_part_way_failure_maps(struct kunit *test)
{
	struct map_env e;

	map_env_init(test, &e, FAIL_PAGES * PAGE_SIZE, FAKE_TCE32_SIZE);
	e.fg->write_fail_entry = FAIL_TCES - 2;
	KUNIT_ASSERT_EQ(test, -EIO, tce_call_map(test, e.c, e.ua, 0,
						 FAIL_TCES * TCE_SZ, RW));

	e.fg->write_fail_entry = -1;
	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0,
					      FAIL_TCES * TCE_SZ, RW));
	KUNIT_EXPECT_EQ(test, FAIL_TCES, fake_tce_live(e.tbl));
}

/* A range that runs past the end of the mapping: -EFAULT, nothing left */
static void map_past_mapping_end(struct kunit *test)
{
	struct map_env e;
	int base, ref;

	map_env_init(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	test_proc_page_of(test, e.ua, &base);

	KUNIT_EXPECT_EQ(test, -EFAULT,
			tce_call_map(test, e.c, e.ua, 0, 4 * PAGE_SIZE, RW));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base, ref);
}

/* Read-only memory: the device may read it (maps), not write it (-EFAULT) */
static void map_read_only_memory(struct kunit *test)
{
	struct map_env e;
	unsigned long ro;

	map_env_init(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	ro = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ,
			   MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, 0, ro);
	KUNIT_EXPECT_EQ(test, -EFAULT,
			tce_call_map(test, e.c, ro, 0, PAGE_SIZE, RW));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
	KUNIT_EXPECT_EQ(test, 0,
			tce_call_map(test, e.c, ro, 0, PAGE_SIZE,
				     VFIO_DMA_MAP_FLAG_READ));
	KUNIT_EXPECT_EQ(test, TCES_PER_PAGE, fake_tce_live(e.tbl));
}

/*
 * A write-only mapping grants the device writes only: on hv tables, whose
 * set() would also grant reads, its entries are exchanged one by one.
 * UNMAP releases its pages.
 */
static void map_write_only(struct kunit *test)
{
	unsigned long n = 2 * TCES_PER_PAGE, i;
	struct map_env e;
	int base, base1, ref;

	map_env_init(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	test_proc_page_of(test, e.ua, &base);
	test_proc_page_of(test, e.ua + PAGE_SIZE, &base1);

	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0, n * TCE_SZ,
					      VFIO_DMA_MAP_FLAG_WRITE));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, DMA_FROM_DEVICE,
				    fake_tce_dir(e.tbl, i), "TCE %lu", i);
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.set);
	KUNIT_EXPECT_EQ(test, n, e.fg->stats.xchg);

	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, 0, n * TCE_SZ));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base, ref);
	test_proc_page_of(test, e.ua + PAGE_SIZE, &ref);
	KUNIT_EXPECT_EQ(test, base1, ref);
}

/* A write-only mapping failing inside a page's entries: all is undone */
static void map_write_only_fails_part_way(struct kunit *test)
{
	unsigned long n = 2 * TCES_PER_PAGE;
	struct map_env e;

	map_env_init(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0, n * TCE_SZ,
					      VFIO_DMA_MAP_FLAG_WRITE));

	e.fg->write_fail_entry = 2 * n + TCES_PER_PAGE / 2;
	KUNIT_EXPECT_EQ(test, -EIO,
			tce_call_map(test, e.c, e.ua, 2 * n * TCE_SZ,
				     n * TCE_SZ, VFIO_DMA_MAP_FLAG_WRITE));
	e.fg->write_fail_entry = -1;
	KUNIT_EXPECT_EQ(test, n, fake_tce_live(e.tbl));
}

/* A read-only mapping grants reads only; it is written as runs on hv */
static void map_read_only(struct kunit *test)
{
	unsigned long n = 2 * TCES_PER_PAGE, i;
	struct map_env e;
	int base, base1, ref;

	map_env_init(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	test_proc_page_of(test, e.ua, &base);
	test_proc_page_of(test, e.ua + PAGE_SIZE, &base1);

	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, n * TCE_SZ,
					      n * TCE_SZ,
					      VFIO_DMA_MAP_FLAG_READ));
	for (i = n; i < 2 * n; i++)
		KUNIT_EXPECT_EQ_MSG(test, DMA_TO_DEVICE,
				    fake_tce_dir(e.tbl, i), "TCE %lu", i);
	KUNIT_EXPECT_EQ(test, e.fg->hv ? n : 0, e.fg->stats.set_entries);

	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, n * TCE_SZ,
						n * TCE_SZ));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base, ref);
	test_proc_page_of(test, e.ua + PAGE_SIZE, &ref);
	KUNIT_EXPECT_EQ(test, base1, ref);
}

/* hv tables: one set() per physically contiguous run */
static void map_hv_one_set_per_run(struct kunit *test)
{
	unsigned long far = 3 * 512 * TCE_SZ;
	struct map_env e;

	map_env_init_hv(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE, true);

	/* One system page: one run, one call */
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0,
					      PAGE_SIZE, RW));
	KUNIT_EXPECT_EQ(test, 1, e.fg->stats.set);
	KUNIT_EXPECT_EQ(test, TCES_PER_PAGE, e.fg->stats.set_entries);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua + PAGE_SIZE,
					      far, PAGE_SIZE, RW));
	KUNIT_EXPECT_EQ(test, 2, e.fg->stats.set);
}

/*
 * hv tables: unmapping a mostly empty range calls clear() only for the
 * batches that hold pages, releases them, and the entries map again
 */
static void unmap_hv_clears_live_batches(struct kunit *test)
{
	unsigned long far = 3 * 512 * TCE_SZ;
	struct map_env e;
	int base0, base1, ref;

	map_env_init_hv(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE, true);
	test_proc_page_of(test, e.ua, &base0);
	test_proc_page_of(test, e.ua + PAGE_SIZE, &base1);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0,
					      PAGE_SIZE, RW));
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua + PAGE_SIZE,
					      far, PAGE_SIZE, RW));

	/* The whole window: 4096 entries, 8 batches, two hold pages */
	KUNIT_ASSERT_EQ(test, 0, tce_call_unmap(test, e.c, 0,
						FAKE_TCE32_SIZE));
	KUNIT_EXPECT_EQ(test, 2, e.fg->stats.clear);
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.xchg);
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base0, ref);
	test_proc_page_of(test, e.ua + PAGE_SIZE, &ref);
	KUNIT_EXPECT_EQ(test, base1, ref);

	/* Released entries map again; release gives the page back */
	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0,
					      PAGE_SIZE, RW));
	tce_call_release(test, e.c);
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, base0, ref);
}

/**
 * struct bad_map - one refused MAP_DMA or UNMAP_DMA, its errno, and the
 *	kind of table it is refused on
 * @what: what is wrong with it, and the kind of table; the parameter name
 * @vaddr: user address, relative to the case's buffer unless @vaddr_abs
 * @iova: bus address
 * @size: bytes
 * @flags: VFIO_DMA_MAP_FLAG_* (MAP only)
 * @err: the errno
 * @vaddr_abs: @vaddr is a user address of its own
 * @hv: on hv tables (else exchange tables)
 */
struct bad_map {
	const char *what;
	u64 vaddr, iova, size;
	u32 flags;
	long err;
	bool vaddr_abs;
	bool hv;
};

#define END	((u64)FAKE_TCE32_SIZE)

/* Each refusal twice: on exchange tables, and on hv tables */
static const struct bad_map bad_maps[] = {
	{ .what = "no_direction_exchange", .vaddr = 0, .iova = 0,
	  .size = TCE_SZ, .flags = 0, .err = -EINVAL },
	{ .what = "no_direction_hv", .vaddr = 0, .iova = 0,
	  .size = TCE_SZ, .flags = 0, .err = -EINVAL, .hv = true },
	{ .what = "unknown_flag_exchange", .vaddr = 0, .iova = 0,
	  .size = TCE_SZ, .flags = RW | VFIO_DMA_MAP_FLAG_VADDR, .err = -EINVAL },
	{ .what = "unknown_flag_hv", .vaddr = 0, .iova = 0,
	  .size = TCE_SZ, .flags = RW | VFIO_DMA_MAP_FLAG_VADDR, .err = -EINVAL,
	  .hv = true },
	{ .what = "no_window_there_exchange", .vaddr = 0, .iova = END,
	  .size = TCE_SZ, .flags = RW, .err = -ENXIO },
	{ .what = "no_window_there_hv", .vaddr = 0, .iova = END,
	  .size = TCE_SZ, .flags = RW, .err = -ENXIO, .hv = true },
	{ .what = "iova_misaligned_exchange", .vaddr = 0, .iova = 0x800,
	  .size = TCE_SZ, .flags = RW, .err = -EINVAL },
	{ .what = "iova_misaligned_hv", .vaddr = 0, .iova = 0x800,
	  .size = TCE_SZ, .flags = RW, .err = -EINVAL, .hv = true },
	{ .what = "size_misaligned_exchange", .vaddr = 0, .iova = 0,
	  .size = TCE_SZ + 1, .flags = RW, .err = -EINVAL },
	{ .what = "size_misaligned_hv", .vaddr = 0, .iova = 0,
	  .size = TCE_SZ + 1, .flags = RW, .err = -EINVAL, .hv = true },
	{ .what = "vaddr_misaligned_exchange", .vaddr = 8, .iova = 0,
	  .size = TCE_SZ, .flags = RW, .err = -EINVAL },
	{ .what = "vaddr_misaligned_hv", .vaddr = 8, .iova = 0,
	  .size = TCE_SZ, .flags = RW, .err = -EINVAL, .hv = true },
	{ .what = "past_the_window_exchange", .vaddr = 0, .iova = END - TCE_SZ,
	  .size = 2 * TCE_SZ, .flags = RW, .err = -EINVAL },
	{ .what = "past_the_window_hv", .vaddr = 0, .iova = END - TCE_SZ,
	  .size = 2 * TCE_SZ, .flags = RW, .err = -EINVAL, .hv = true },
	{ .what = "size_wraps_exchange", .vaddr = 0, .iova = TCE_SZ,
	  .size = -TCE_SZ, .flags = RW, .err = -EINVAL },
	{ .what = "size_wraps_hv", .vaddr = 0, .iova = TCE_SZ,
	  .size = -TCE_SZ, .flags = RW, .err = -EINVAL, .hv = true },
	{ .what = "vaddr_wraps_exchange", .vaddr = -TCE_SZ, .iova = 0,
	  .size = 2 * TCE_SZ, .flags = RW, .err = -EINVAL,
	  .vaddr_abs = true },
	{ .what = "vaddr_wraps_hv", .vaddr = -TCE_SZ, .iova = 0,
	  .size = 2 * TCE_SZ, .flags = RW, .err = -EINVAL,
	  .vaddr_abs = true, .hv = true },
};

KUNIT_ARRAY_PARAM_DESC(bad_map, bad_maps, what);

static const struct bad_map bad_unmaps[] = {
	{ .what = "no_window_there_exchange", .vaddr = 0, .iova = END,
	  .size = TCE_SZ, .flags = 0, .err = -ENXIO },
	{ .what = "no_window_there_hv", .vaddr = 0, .iova = END,
	  .size = TCE_SZ, .flags = 0, .err = -ENXIO, .hv = true },
	{ .what = "iova_misaligned_exchange", .vaddr = 0, .iova = 0x800,
	  .size = TCE_SZ, .flags = 0, .err = -EINVAL },
	{ .what = "iova_misaligned_hv", .vaddr = 0, .iova = 0x800,
	  .size = TCE_SZ, .flags = 0, .err = -EINVAL, .hv = true },
	{ .what = "size_misaligned_exchange", .vaddr = 0, .iova = 0,
	  .size = TCE_SZ + 1, .flags = 0, .err = -EINVAL },
	{ .what = "size_misaligned_hv", .vaddr = 0, .iova = 0,
	  .size = TCE_SZ + 1, .flags = 0, .err = -EINVAL, .hv = true },
	{ .what = "past_the_window_exchange", .vaddr = 0, .iova = END - TCE_SZ,
	  .size = 2 * TCE_SZ, .flags = 0, .err = -EINVAL },
	{ .what = "past_the_window_hv", .vaddr = 0, .iova = END - TCE_SZ,
	  .size = 2 * TCE_SZ, .flags = 0, .err = -EINVAL, .hv = true },
	{ .what = "size_wraps_exchange", .vaddr = 0, .iova = TCE_SZ,
	  .size = -TCE_SZ, .flags = 0, .err = -EINVAL },
	{ .what = "size_wraps_hv", .vaddr = 0, .iova = TCE_SZ,
	  .size = -TCE_SZ, .flags = 0, .err = -EINVAL, .hv = true },
};

KUNIT_ARRAY_PARAM_DESC(bad_unmap, bad_unmaps, what);

/*
 * One refusal of MAP_DMA: its errno, nothing mapped, and the container
 * still maps afterwards (the last page of the window)
 */
static void map_refused(struct kunit *test)
{
	const struct bad_map *b = test->param_value;
	struct map_env e;
	u64 vaddr;

	map_env_init_hv(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE, b->hv);
	vaddr = b->vaddr_abs ? b->vaddr : e.ua + b->vaddr;
	KUNIT_EXPECT_EQ(test, b->err,
			tce_call_map(test, e.c, vaddr, b->iova, b->size,
				     b->flags));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));

	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, e.c, e.ua, END - TCE_SZ,
					      TCE_SZ, RW));
	KUNIT_EXPECT_EQ(test, 1, fake_tce_live(e.tbl));
}

/* An argument too short, or not there: -EINVAL, -EFAULT */
static void map_bad_argument(struct kunit *test)
{
	struct vfio_iommu_type1_dma_map m;
	struct map_env e;
	long ret;

	map_env_init(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	m = (struct vfio_iommu_type1_dma_map){
		.argsz = offsetofend(typeof(m), size) - 1, .flags = RW,
		.vaddr = e.ua, .size = TCE_SZ,
	};
	ret = tce_call_ioctl_user(test, e.c, VFIO_IOMMU_MAP_DMA, &m, sizeof(m));
	KUNIT_EXPECT_EQ(test, -EINVAL, ret);
	ret = tce_call_ioctl(e.c, VFIO_IOMMU_MAP_DMA, 0);
	KUNIT_EXPECT_EQ(test, -EFAULT, ret);
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
}

/* A disabled container neither maps nor unmaps: -EPERM */
static void map_unmap_need_enable(struct kunit *test)
{
	struct map_env e;

	map_env_init(test, &e, 2 * PAGE_SIZE, FAKE_TCE32_SIZE);
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(e.c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, -EPERM,
			tce_call_map(test, e.c, e.ua, 0, TCE_SZ, RW));
	KUNIT_EXPECT_EQ(test, -EPERM, tce_call_unmap(test, e.c, 0, TCE_SZ));
}

/* One refusal of UNMAP_DMA: its errno, and the mapping still there */
static void unmap_refused(struct kunit *test)
{
	const struct bad_map *b = test->param_value;
	struct map_env e;

	map_env_init_hv(test, &e, PAGE_SIZE, FAKE_TCE32_SIZE, b->hv);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0,
					      PAGE_SIZE, RW));
	KUNIT_EXPECT_EQ(test, b->err,
			tce_call_unmap(test, e.c, b->iova, b->size));
	KUNIT_EXPECT_EQ(test, TCES_PER_PAGE, fake_tce_live(e.tbl));
}

/* A flag UNMAP does not have, or an argument too short: -EINVAL */
static void unmap_bad_argument(struct kunit *test)
{
	struct vfio_iommu_type1_dma_unmap u;
	struct map_env e;
	long ret;

	map_env_init(test, &e, PAGE_SIZE, FAKE_TCE32_SIZE);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0,
					      PAGE_SIZE, RW));

	u = (struct vfio_iommu_type1_dma_unmap){
		.argsz = sizeof(u), .flags = VFIO_DMA_UNMAP_FLAG_ALL,
		.size = PAGE_SIZE,
	};
	ret = tce_call_ioctl_user(test, e.c, VFIO_IOMMU_UNMAP_DMA, &u,
				  sizeof(u));
	KUNIT_EXPECT_EQ(test, -EINVAL, ret);
	u.flags = 0;
	u.argsz = offsetofend(typeof(u), size) - 1;
	ret = tce_call_ioctl_user(test, e.c, VFIO_IOMMU_UNMAP_DMA, &u,
				  sizeof(u));
	KUNIT_EXPECT_EQ(test, -EINVAL, ret);
	KUNIT_EXPECT_EQ(test, TCES_PER_PAGE, fake_tce_live(e.tbl));
}

/* A hole, and unmapping twice, are not errors */
static void unmap_hole_and_twice(struct kunit *test)
{
	struct map_env e;

	map_env_init(test, &e, PAGE_SIZE, FAKE_TCE32_SIZE);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0,
					      PAGE_SIZE, RW));
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, e.c, END / 2,
						PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, TCES_PER_PAGE, fake_tce_live(e.tbl));
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, e.c, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, e.c, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.tbl));
}

/* Before any window exists, MAP creates the default one */
static void map_creates_default_window(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test, NULL);
	struct tce_container *c;
	unsigned long ua;

	ua = test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_NULL(test, fg->table_group.tables[0]);

	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, c, ua, 0, PAGE_SIZE,
					      RW));
	KUNIT_ASSERT_NOT_NULL(test, fg->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, TCES_PER_PAGE,
			fake_tce_live(fg->table_group.tables[0]));
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
}

static struct kunit_case map_cases[] = {
	KUNIT_CASE_PARAM(map_writes_tces_and_pins, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(unmap_clears_tces_and_releases,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_cost, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(unmap_cost, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_unaligned_start, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_page_pinned_piecemeal, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_page_pinned_by_two_calls,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_page_pinned_across_pages,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_many_batches_maps_every_entry,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(unmap_many_batches_releases_every_page,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_many_batches_cost, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_over_mapping_busy, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_failing_part_way_leaves_nothing,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_after_part_way_failure_maps,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_past_mapping_end, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_read_only_memory, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_write_only, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_write_only_fails_part_way,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_read_only, fake_tce_platform_gen_params),
	KUNIT_CASE(map_hv_one_set_per_run),
	KUNIT_CASE(unmap_hv_clears_live_batches),
	KUNIT_CASE_PARAM(map_refused, bad_map_gen_params),
	KUNIT_CASE_PARAM(map_bad_argument, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_unmap_need_enable, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(unmap_refused, bad_unmap_gen_params),
	KUNIT_CASE_PARAM(unmap_bad_argument, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(unmap_hole_and_twice, fake_tce_platform_gen_params),
	KUNIT_CASE(map_creates_default_window),
	{}
};

static struct kunit_suite map_suite = {
	.name = "vfio_spapr_tce_map_v1",
	.test_cases = map_cases,
};

kunit_test_suite(map_suite);

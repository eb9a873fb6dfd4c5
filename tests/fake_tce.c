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
#include <linux/cred.h>
#include <linux/completion.h>
#include <linux/hugetlb.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vmalloc.h>

#include "fake_tce.h"

/*
 * shmem_file_setup()'s flags: an unsigned long up to 6.x, a vma_flags_t
 * since (which came with EMPTY_VMA_FLAGS): no flags either way
 */
#ifdef EMPTY_VMA_FLAGS
#define FAKE_SHMEM_NO_FLAGS	EMPTY_VMA_FLAGS
#else
#define FAKE_SHMEM_NO_FLAGS	0
#endif

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
 * without the parameter.
 */
bool fake_tce_param_hv(struct kunit *test)
{
	return test->param_value && *(const bool *)test->param_value;
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

/**
 * fake_tce_open() - open a container through the driver ops
 * @test: the test case
 * @type: VFIO_SPAPR_TCE_IOMMU or VFIO_SPAPR_TCE_v2_IOMMU
 *
 * Return: the container; the case releases it through the ops.
 */
struct tce_container *fake_tce_open(struct kunit *test, unsigned long type)
{
	void *data = tce_iommu_driver_ops.open(type);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(data));
	return data;
}

/**
 * fake_tce_default_window() - create a container's pending default window
 * @c: the container
 *
 * What MAP_DMA does first, under the container lock as there.
 *
 * Return: what tce_container_default_window() returns.
 */
long fake_tce_default_window(struct tce_container *c)
{
	long ret;

	mutex_lock(&c->lock);
	ret = tce_container_default_window(c);
	mutex_unlock(&c->lock);
	return ret;
}

/**
 * fake_tce_user_mem() - give the case an mm and anonymous user memory
 * @test: the test case
 * @size: bytes to map
 *
 * Return: the user address (the case fails if it cannot be mapped).
 */
unsigned long fake_tce_user_mem(struct kunit *test, unsigned long size)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, size, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, 0, addr);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_NOT_NULL(test, current->mm);
	return addr;
}

/**
 * fake_tce_set_memlock() - set the case's RLIMIT_MEMLOCK (soft and hard)
 * @test: the test case
 * @bytes: the limit
 *
 * The case runs in its own kthread, so the change dies with it.
 */
void fake_tce_set_memlock(struct kunit *test, unsigned long bytes)
{
	struct rlimit *rlim = &current->signal->rlim[RLIMIT_MEMLOCK];

	task_lock(current->group_leader);
	rlim->rlim_cur = bytes;
	rlim->rlim_max = bytes;
	task_unlock(current->group_leader);
}

/**
 * fake_tce_set_ipc_lock() - run on with or without CAP_IPC_LOCK
 * @test: the test case
 * @on: raise CAP_IPC_LOCK in the effective set, or lower it
 *
 * Commits new credentials for the case's thread (KUnit runs each case in
 * a thread of its own, whose credentials end with it), the same way on
 * every kernel: override_creds() changed how it counts references in
 * 6.13.
 */
void fake_tce_set_ipc_lock(struct kunit *test, bool on)
{
	struct cred *new = prepare_creds();

	KUNIT_ASSERT_NOT_NULL(test, new);
	if (on)
		cap_raise(new->cap_effective, CAP_IPC_LOCK);
	else
		cap_lower(new->cap_effective, CAP_IPC_LOCK);
	commit_creds(new);
}

/**
 * fake_tce_locked_vm() - the current mm's locked_vm, in pages
 *
 * Return: current->mm->locked_vm.
 */
unsigned long fake_tce_locked_vm(void)
{
	unsigned long v;

	mmap_read_lock(current->mm);
	v = current->mm->locked_vm;
	mmap_read_unlock(current->mm);
	return v;
}

KUNIT_DEFINE_ACTION_WRAPPER(fake_unpin, unpin_user_page, struct page *);

/**
 * fake_tce_page_ref() - the reference count of a user page, as the cases
 *	compare it
 * @page: the page
 *
 * A tail page of a large folio counts nothing: its folio does. A folio
 * waiting in a CPU's LRU-add batch holds one reference more, which goes
 * whenever the batch is drained (pinning long-term drains them all): it
 * is not on the LRU until then, so it is counted without it.
 *
 * Return: the folio's reference count, without the batch's.
 */
int fake_tce_page_ref(struct page *page)
{
	struct folio *folio = page_folio(page);

	return folio_ref_count(folio) - !folio_test_lru(folio);
}

/**
 * fake_tce_pin_page() - pin a user page for the case and learn its refcount
 * @test: the test case
 * @uaddr: user address in the case's mm
 * @pin: filled in; the case's own pin is dropped when the case ends
 *
 * Pins the page twice, to measure what one pin adds, and keeps one pin so
 * the page stays put while the code under test pins and releases it.
 */
void fake_tce_pin_page(struct kunit *test, unsigned long uaddr,
		       struct fake_tce_pin *pin)
{
	struct page *page, *again;

	KUNIT_ASSERT_EQ(test, 1, pin_user_pages_fast(uaddr, 1, FOLL_WRITE,
						     &page));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, fake_unpin,
							   page));
	pin->page = page;
	pin->uaddr = uaddr;
	pin->ref_base = fake_tce_page_ref(page);

	KUNIT_ASSERT_EQ(test, 1, pin_user_pages_fast(uaddr, 1, FOLL_WRITE,
						     &again));
	KUNIT_ASSERT_PTR_EQ(test, page, again);
	pin->pin_delta = fake_tce_page_ref(page) - pin->ref_base;
	unpin_user_page(again);
	KUNIT_ASSERT_GT(test, pin->pin_delta, 0);
	KUNIT_ASSERT_EQ(test, pin->ref_base, fake_tce_page_ref(page));
}

/**
 * fake_tce_ioctl_user() - issue an ioctl whose argument lives in user memory
 * @test: the test case (it must have an mm: see fake_tce_user_mem())
 * @c: the container
 * @cmd: the ioctl
 * @arg: the argument; copied to a fresh user page, and back after the call
 * @len: its size
 *
 * Return: what the ioctl returned.
 */
long fake_tce_ioctl_user(struct kunit *test, struct tce_container *c,
			 unsigned int cmd, void *arg, size_t len)
{
	unsigned long u = fake_tce_user_mem(test, PAGE_SIZE);
	long ret;

	KUNIT_ASSERT_EQ(test, 0, copy_to_user((void __user *)u, arg, len));
	ret = fake_tce_ioctl(c, cmd, u);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(arg, (void __user *)u, len));
	return ret;
}

/**
 * fake_tce_ro_arg() - an ioctl argument in read-only user memory
 * @test: the test case (it must have an mm)
 * @arg: the argument
 * @len: its size
 *
 * Return: its user address; the ioctl can read it but not write to it.
 */
unsigned long fake_tce_ro_arg(struct kunit *test, const void *arg, size_t len)
{
	struct file *file;
	unsigned long u;
	loff_t pos = 0;

	/* A shmem file holding the argument, mapped read-only */
	fake_tce_user_mem(test, PAGE_SIZE);
	file = shmem_file_setup("fake_tce_arg", PAGE_SIZE, FAKE_SHMEM_NO_FLAGS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_EXPECT_EQ(test, len, kernel_write(file, arg, len, &pos));
	u = kunit_vm_mmap(test, file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	fput(file);
	KUNIT_ASSERT_NE(test, 0, u);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(u));
	return u;
}

/**
 * fake_tce_dma_map() - VFIO_IOMMU_MAP_DMA as userspace issues it
 * @test: the test case
 * @c: the container
 * @vaddr: user address
 * @iova: bus address
 * @size: bytes
 * @flags: VFIO_DMA_MAP_FLAG_*
 *
 * Return: what the ioctl returned.
 */
long fake_tce_dma_map(struct kunit *test, struct tce_container *c, u64 vaddr,
		      u64 iova, u64 size, u32 flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags,
		.vaddr = vaddr, .iova = iova, .size = size,
	};

	return fake_tce_ioctl_user(test, c, VFIO_IOMMU_MAP_DMA, &m, sizeof(m));
}

/**
 * fake_tce_dma_unmap() - VFIO_IOMMU_UNMAP_DMA as userspace issues it
 * @test: the test case
 * @c: the container
 * @iova: bus address
 * @size: bytes
 *
 * Return: what the ioctl returned.
 */
long fake_tce_dma_unmap(struct kunit *test, struct tce_container *c, u64 iova,
			u64 size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = size,
	};

	return fake_tce_ioctl_user(test, c, VFIO_IOMMU_UNMAP_DMA, &u, sizeof(u));
}

/**
 * fake_tce_prereg() - VFIO_IOMMU_SPAPR_(UN)REGISTER_MEMORY
 * @test: the test case
 * @c: the container
 * @cmd: VFIO_IOMMU_SPAPR_REGISTER_MEMORY or ..._UNREGISTER_MEMORY
 * @vaddr: user address
 * @size: bytes
 *
 * Return: what the ioctl returned.
 */
long fake_tce_prereg(struct kunit *test, struct tce_container *c,
		     unsigned int cmd, u64 vaddr, u64 size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = vaddr, .size = size,
	};

	return fake_tce_ioctl_user(test, c, cmd, &r, sizeof(r));
}

/**
 * fake_tce_create() - VFIO_IOMMU_SPAPR_TCE_CREATE as userspace issues it
 * @test: the test case
 * @c: the container
 * @shift: IOMMU page shift
 * @size: window size in bytes
 * @levels: table levels
 * @start: where the window's bus address is returned, or NULL
 *
 * Return: what the ioctl returned.
 */
long fake_tce_create(struct kunit *test, struct tce_container *c, u32 shift,
		     u64 size, u32 levels, u64 *start)
{
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = shift,
		.window_size = size, .levels = levels,
	};
	long ret;

	ret = fake_tce_ioctl_user(test, c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr,
				  sizeof(cr));
	if (start)
		*start = cr.start_addr;
	return ret;
}

/**
 * fake_tce_remove() - VFIO_IOMMU_SPAPR_TCE_REMOVE as userspace issues it
 * @test: the test case
 * @c: the container
 * @start: the window's bus address
 *
 * Return: what the ioctl returned.
 */
long fake_tce_remove(struct kunit *test, struct tce_container *c, u64 start)
{
	struct vfio_iommu_spapr_tce_remove rm = {
		.argsz = sizeof(rm), .start_addr = start,
	};

	return fake_tce_ioctl_user(test, c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm,
				   sizeof(rm));
}

/**
 * fake_tce_page_of() - the page behind a user address, and its folio's
 *	refcount (without a transient one of the LRU caches)
 * @test: the test case
 * @uaddr: a user address that is mapped and was touched
 * @ref: where the page's refcount is returned
 *
 * Return: the page; no reference is kept on it.
 */
struct page *fake_tce_page_of(struct kunit *test, unsigned long uaddr,
			      int *ref)
{
	struct page *page;

	KUNIT_ASSERT_EQ(test, 1, get_user_pages_fast(uaddr, 1, 0, &page));
	put_page(page);
	*ref = fake_tce_page_ref(page);
	return page;
}

/*
 * Hugetlb memory, from a file on a hugetlbfs mount of the case's own: the
 * KUnit module has no other way to a huge page, and a path like
 * /dev/hugepages is not where a KUnit thread can count on finding it (its
 * root need not be /init's)
 */
static void fake_kern_unmount(void *mnt)
{
	kern_unmount(mnt);
}

static struct file *fake_hugetlb_file(struct kunit *test)
{
	struct file_system_type *fs = get_fs_type("hugetlbfs");
	struct vfsmount *mnt;

	KUNIT_ASSERT_NOT_NULL_MSG(test, fs, "no hugetlbfs");
	mnt = kern_mount(fs);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mnt), "hugetlbfs mount: %ld",
			       PTR_ERR(mnt));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, fake_kern_unmount, mnt));
	return file_open_root_mnt(mnt, "fake_tce_huge", O_CREAT | O_RDWR, 0600);
}

/*
 * Where fake_tce_huge_mem() maps: on the hash MMU a huge page needs an
 * address slice of its own (256M below 4G), and this one ends 16M before
 * the next slice starts, where the small pages go
 */
#define FAKE_HUGE_ADDR	0x7f000000UL

/**
 * fake_tce_huge_mem() - one huge page, then small pages right after it
 * @test: the test case
 * @shift: where the huge page's shift is returned
 *
 * Maps one hugetlb page at an address aligned to it and, right after,
 * the same size of ordinary shmem memory (small pages that transparent
 * huge pages leave alone), both touched, in the case's mm.
 *
 * Return: the user address of the huge page (the case fails without
 * hugetlbfs or a huge page in its pool).
 */
unsigned long fake_tce_huge_mem(struct kunit *test, unsigned int *shift)
{
	unsigned long size, ua, small, off;
	struct file *file;

	fake_tce_user_mem(test, PAGE_SIZE);
	file = fake_hugetlb_file(test);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "hugetlbfs file: %ld",
			       PTR_ERR(file));
	*shift = huge_page_shift(hstate_file(file));
	size = 1UL << *shift;
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(FAKE_HUGE_ADDR, size));
	ua = kunit_vm_mmap(test, file, FAKE_HUGE_ADDR, size,
			   PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_FIXED_NOREPLACE, 0);
	fput(file);
	KUNIT_ASSERT_EQ(test, FAKE_HUGE_ADDR, ua);

	file = shmem_file_setup("fake_tce_small", size, FAKE_SHMEM_NO_FLAGS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	small = kunit_vm_mmap(test, file, ua + size, size,
			      PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED_NOREPLACE, 0);
	fput(file);
	KUNIT_ASSERT_EQ(test, ua + size, small);

	for (off = 0; off < 2 * size; off += PAGE_SIZE)
		KUNIT_ASSERT_EQ_MSG(test, 0,
				    put_user(1, (u8 __user *)ua + off),
				    "no huge page in the pool?");
	return ua;
}

KUNIT_DEFINE_ACTION_WRAPPER(fake_free_page, __free_page, struct page *);

/**
 * fake_tce_contig_mem() - physically contiguous user memory
 * @test: the test case
 * @order: 2^@order system pages
 *
 * Inserts the pages of one allocation, in order, into a shared mapping
 * of the case's mm: as a huge page would, but of any size.
 *
 * Return: its user address.
 */
unsigned long fake_tce_contig_mem(struct kunit *test, unsigned int order)
{
	unsigned long n = 1UL << order, ua, i;
	struct vm_area_struct *vma;
	struct page *first, **pages;
	int ret;

	pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	first = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	KUNIT_ASSERT_NOT_NULL(test, first);
	split_page(first, order);
	for (i = 0; i < n; i++) {
		pages[i] = first + i;
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, fake_free_page,
							  pages[i]));
	}

	ua = kunit_vm_mmap(test, NULL, 0, n * PAGE_SIZE,
			   PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ua));
	mmap_write_lock(current->mm);
	vma = find_vma(current->mm, ua);
	ret = vma ? vm_insert_pages(vma, ua, pages, &n) : -EFAULT;
	mmap_write_unlock(current->mm);
	KUNIT_ASSERT_EQ(test, 0, ret);
	return ua;
}

static int fake_other_thread(void *data)
{
	struct fake_tce_other *o = data;
	struct mm_struct *mm = mm_alloc();

	if (mm) {
		mm->task_size = TASK_SIZE;
		arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
		kthread_use_mm(mm);
		o->ret = o->fn(o);
		kthread_unuse_mm(mm);
		mmput(mm);
	} else {
		o->ret = -ENOMEM;
	}
	complete(&o->done);
	return 0;
}

/**
 * fake_tce_other_start() - run @o->fn in another thread, with another mm
 * @test: the test case
 * @o: what to run (@o->fn, @o->c, @o->data set); its result lands in
 *	@o->ret
 *
 * The function runs in a kernel thread with an mm of its own, like a
 * second process sharing the container's fd. Wait for it with
 * fake_tce_other_wait() before the case ends.
 */
void fake_tce_other_start(struct kunit *test, struct fake_tce_other *o)
{
	struct task_struct *t;

	init_completion(&o->done);
	o->ret = -EINPROGRESS;
	t = kthread_run(fake_other_thread, o, "fake_tce_other");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
}

/**
 * fake_tce_other_wait() - wait for a thread from fake_tce_other_start()
 * @o: the thread's description
 * @ms: how long to wait at most
 *
 * Return: true if it finished.
 */
bool fake_tce_other_wait(struct fake_tce_other *o, unsigned int ms)
{
	return wait_for_completion_timeout(&o->done, msecs_to_jiffies(ms));
}

/**
 * fake_tce_other_ioctl() - an ioctl from a fake_tce_other_start() thread
 * @o: the thread's description; @o->c is the container
 * @cmd: the ioctl
 * @arg: its argument, copied to user memory of the thread's mm first
 * @len: its size
 *
 * Return: what the ioctl returned, or -ENOMEM.
 */
long fake_tce_other_ioctl(struct fake_tce_other *o, unsigned int cmd,
			  const void *arg, size_t len)
{
	unsigned long u = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_ANONYMOUS | MAP_PRIVATE, 0);

	if (IS_ERR_VALUE(u))
		return -ENOMEM;
	if (copy_to_user((void __user *)u, arg, len))
		return -ENOMEM;
	return fake_tce_ioctl(o->c, cmd, u);
}

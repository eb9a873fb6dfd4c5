// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fake sPAPR platform for the vfio_spapr_tce KUnit suites. See fake_tce.h.
 *
 * Locking: a fake group and its tables are used by one test case at a time,
 * under the container lock of the code under test; the counters need no
 * lock of their own.
 */

#include <kunit/resource.h>
#include <linux/cred.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "fake_tce.h"

/* 64-bit windows of the fakes start at 2^59, as on IODA2 */
#define FAKE_DDW_BASE	BIT_ULL(59)
#define FAKE_MAX_LEVELS	5

/**
 * struct fake_tce_table - an iommu_table whose entries live in an array
 * @tbl: the table handed to the code under test; first, so that the
 *	iommu core's kfree() of it frees the whole fake
 * @owner: the fake group whose create_table made it; counts its events
 * @hpa: per entry, the host physical address it maps
 * @dir: per entry, the DMA direction; DMA_NONE is an empty entry
 */
struct fake_tce_table {
	struct iommu_table tbl;
	struct fake_tce_group *owner;
	unsigned long *hpa;
	u8 *dir;
};

static struct fake_tce_table *to_fake_table(struct iommu_table *tbl)
{
	return container_of(tbl, struct fake_tce_table, tbl);
}

static struct fake_tce_group *to_fake_group(struct iommu_table_group *tg)
{
	return container_of(tg, struct fake_tce_group, table_group);
}

static int fake_xchg_no_kill(struct iommu_table *tbl, long index,
			     unsigned long *hpa,
			     enum dma_data_direction *direction)
{
	struct fake_tce_table *ft = to_fake_table(tbl);
	unsigned long i = index - tbl->it_offset;
	unsigned long old_hpa = ft->hpa[i];
	enum dma_data_direction old_dir = ft->dir[i];

	ft->owner->stats.xchg++;
	if (old_dir != DMA_NONE)
		ft->owner->stats.xchg_live++;

	ft->hpa[i] = *direction == DMA_NONE ? 0 : *hpa;
	ft->dir[i] = *direction;
	*hpa = old_hpa;
	*direction = old_dir;
	return 0;
}

static void fake_tce_kill(struct iommu_table *tbl, unsigned long index,
			  unsigned long pages)
{
	to_fake_table(tbl)->owner->stats.kill++;
}

static void fake_table_free(struct iommu_table *tbl)
{
	struct fake_tce_table *ft = to_fake_table(tbl);

	ft->owner->stats.live_at_free += fake_tce_live(tbl);
	ft->owner->stats.tables_live--;
	vfree(ft->hpa);
	vfree(ft->dir);
}

static struct iommu_table_ops fake_table_ops = {
	.xchg_no_kill	= fake_xchg_no_kill,
	.tce_kill	= fake_tce_kill,
	.free		= fake_table_free,
};

static unsigned long fake_get_table_size(u32 page_shift, u64 window_size,
					 u32 levels)
{
	if (!levels || levels > FAKE_MAX_LEVELS || !window_size)
		return 0;
	return PAGE_ALIGN((window_size >> page_shift) * sizeof(u64));
}

static long fake_create_table(struct iommu_table_group *table_group, int num,
			      u32 page_shift, u64 window_size, u32 levels,
			      struct iommu_table **ptbl)
{
	struct fake_tce_group *fg = to_fake_group(table_group);
	unsigned long entries = window_size >> page_shift;
	struct fake_tce_table *ft;

	if (!fake_get_table_size(page_shift, window_size, levels))
		return -EINVAL;

	ft = kzalloc(sizeof(*ft), GFP_KERNEL);
	if (!ft)
		return -ENOMEM;
	ft->hpa = vzalloc(entries * sizeof(*ft->hpa));
	ft->dir = vzalloc(entries);
	if (!ft->hpa || !ft->dir) {
		vfree(ft->hpa);
		vfree(ft->dir);
		kfree(ft);
		return -ENOMEM;
	}
	/* DMA_BIDIRECTIONAL is 0: an empty entry must say DMA_NONE */
	memset(ft->dir, DMA_NONE, entries);

	ft->owner = fg;
	ft->tbl.it_page_shift = page_shift;
	ft->tbl.it_size = entries;
	ft->tbl.it_offset = (num ? FAKE_DDW_BASE : table_group->tce32_start)
			    >> page_shift;
	ft->tbl.it_allocated_size = fake_get_table_size(page_shift,
							window_size, levels);
	ft->tbl.it_ops = &fake_table_ops;
	kref_init(&ft->tbl.it_kref);

	fg->stats.create_table++;
	fg->stats.tables_live++;
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
	if (WARN_ON(table_group->tables[num]))
		return -EBUSY;

	/* Like the real platforms, a programmed window holds a reference */
	table_group->tables[num] = iommu_tce_table_get(tbl);
	fg->stats.set_window++;
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

/* The same behaviour behind another ops pointer: an incompatible platform */
static struct iommu_table_group_ops fake_other_group_ops = {
	.get_table_size	= fake_get_table_size,
	.create_table	= fake_create_table,
	.set_window	= fake_set_window,
	.unset_window	= fake_unset_window,
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
	fg->table_group.tce32_start = 0;
	fg->table_group.tce32_size = opts->tce32_size;
	fg->table_group.ops = opts->other_ops ? &fake_other_group_ops :
						&fake_group_ops;
	if (opts->ddw) {
		fg->table_group.pgsizes = SZ_4K | SZ_64K | SZ_16M;
		fg->table_group.max_dynamic_windows_supported =
			IOMMU_TABLE_GROUP_MAX_TABLES;
		fg->table_group.max_levels = FAKE_MAX_LEVELS;
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
 * fake_tce_drop_ipc_lock() - run on without CAP_IPC_LOCK
 *
 * Return: the credentials to give back to revert_creds(), or NULL.
 */
const struct cred *fake_tce_drop_ipc_lock(void)
{
	const struct cred *old;
	struct cred *new;

	new = prepare_creds();
	if (!new)
		return NULL;
	cap_lower(new->cap_effective, CAP_IPC_LOCK);
	old = override_creds(new);
	put_cred(new);
	return old;
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
	pin->ref_base = page_ref_count(page);

	KUNIT_ASSERT_EQ(test, 1, pin_user_pages_fast(uaddr, 1, FOLL_WRITE,
						     &again));
	KUNIT_ASSERT_PTR_EQ(test, page, again);
	pin->pin_delta = page_ref_count(page) - pin->ref_base;
	unpin_user_page(again);
	KUNIT_ASSERT_GT(test, pin->pin_delta, 0);
	KUNIT_ASSERT_EQ(test, pin->ref_base, page_ref_count(page));
}

/**
 * fake_tce_map() - map a pinned page the way the map path does
 * @test: the test case
 * @tbl: the window's table
 * @entry: entry number, including it_offset
 * @pin: a page from fake_tce_pin_page(); one more pin is taken and handed
 *	to the TCE, for the code under test to release
 * @dir: DMA direction of the mapping
 */
void fake_tce_map(struct kunit *test, struct iommu_table *tbl,
		  unsigned long entry, struct fake_tce_pin *pin,
		  enum dma_data_direction dir)
{
	enum dma_data_direction old = dir;
	struct page *page;
	unsigned long hpa;

	KUNIT_ASSERT_EQ(test, 1, pin_user_pages_fast(pin->uaddr, 1,
						     FOLL_WRITE, &page));
	KUNIT_ASSERT_PTR_EQ(test, pin->page, page);

	hpa = page_to_phys(page);
	KUNIT_ASSERT_EQ(test, 0, iommu_tce_xchg_no_kill(current->mm, tbl,
							entry, &hpa, &old));
	KUNIT_ASSERT_EQ(test, DMA_NONE, old);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * One DMA window of vfio_spapr_tce: allocate and free its table, set it
 * on a table group and unset it, map user memory into it, and clear
 * ranges of TCEs, releasing the user pages they held.
 *
 * Two ways to write a table, chosen per table by tce_table_hv():
 * - exchange: each entry is exchanged on its own (it_ops->xchg_no_kill,
 *   which returns what the entry held); a map invalidates its range once
 *   per call, a clear once per batch of entries. On powernv an exchange
 *   is a store to the table in memory and the invalidation is the costly
 *   part.
 * - runs: on tables written through the hypervisor (pseries LPAR) there is
 *   no separate invalidation but every exchange costs two hypervisor calls
 *   (read, then write). There, entries that map physically contiguous
 *   memory are written as one run by it_ops->set (H_PUT_TCE_INDIRECT, up
 *   to 512 entries per call) and ranges are cleared by it_ops->clear
 *   (H_STUFF_TCE). What an entry holds is known without reading it back:
 *   from &tce_window.held (v1) or from the table's userspace view (v2).
 *   A run is at most TCE_RUN_MAX entries.
 *
 * Either way, a page is released only once every entry that mapped it was
 * cleared and invalidated: the IOMMU never reaches a released page.
 *
 * Pins (v1). Every v1 window has a held array, where this backend notes
 * what it wrote. The IOMMU pages of one system page that one call maps
 * share one pin: the first of them holds it (TCE_HELD_PIN), the others
 * follow it within the next PAGE_SIZE / IOMMU page size - 1 entries.
 * Clearing the holder passes the pin on to the first live follower of the
 * same page in that stretch, which covers every other follower, or
 * releases it if there is none. The page stays pinned as long as an entry
 * maps it.
 *
 * Invalidation is this file's: tce_window_map() and tce_window_clear()
 * invalidate what they wrote or cleared (iommu_tce_kill()) and end with the
 * table's flush (iommu_flush_tce()); their callers do neither.
 *
 * v1 or v2 is the window's: a v1 window has a held array (tce_window_v1())
 * and pins the pages it maps; a v2 window maps pre-registered memory.
 *
 * Locking: these functions keep no state beyond &tce_window.held. The
 * caller holds the container lock, which serialises every change to the
 * windows it owns, and their held arrays; the container's functions that
 * call these assert it. The TCE exchange is atomic per entry in the
 * platform code. account_locked_vm() takes the mm's mmap_lock, which
 * nests inside the container lock.
 */

#include <linux/bsearch.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/iommu.h>
#include <asm/mmu_context.h>
#include <asm/tce.h>

#include "vfio_spapr_tce.h"

/* Entries cleared between two chances to reschedule */
#define TCE_CLEAR_BATCH	512
/* System pages pinned by one pin_user_pages_fast() call at most */
#define TCE_PIN_BATCH	512
/* A map of up to this many TCEs keeps its page arrays on the stack */
#define TCE_SMALL_MAP	16
/*
 * Entries one set() call writes at most: the platform may keep interrupts
 * off for a whole call (pseries does, across its hypervisor calls)
 */
#define TCE_RUN_MAX	512
/*
 * In &tce_window.held: this entry holds the pin of its system page (the
 * address is IOMMU-page aligned, the TCE permissions use bits 0 and 1)
 */
#define TCE_HELD_PIN	BIT_ULL(2)

/**
 * struct tce_map - one mapping request on one window, as tce_window_map()
 *	carries it through the map path
 * @mm: the container's mm: pages are pinned from it (v1), or looked up in
 *	its pre-registered memory (v2)
 * @preregs: v2: the container's regions, the only ones it maps through
 * @win: the window
 * @entry: first TCE, in IOMMU pages from the start of the bus space
 * @pages: number of TCEs
 * @ua: user address of the first IOMMU page, aligned to the IOMMU page size
 * @dir: DMA direction of every TCE
 * @runs: write runs of entries with set() rather than exchanging each
 * @perm: v1, TCE permission bits of @dir, as the held array notes them
 */
struct tce_map {
	struct mm_struct *mm;
	const struct list_head *preregs;
	struct tce_window *win;
	unsigned long entry;
	unsigned long pages;
	unsigned long ua;
	enum dma_data_direction dir;
	bool runs;
	u64 perm;
};

/* A v1 window pins the pages it maps and notes them in its held array */
static bool tce_window_v1(const struct tce_window *win)
{
	return !!win->held;
}

/*
 * Is every write to @tbl a hypervisor call that needs no invalidation of
 * its own (no tce_kill op)? Then writing runs with set() and clearing
 * ranges with clear() is much cheaper than exchanging entry by entry.
 */
static bool tce_table_hv(const struct iommu_table *tbl)
{
	const struct iommu_table_ops *ops = tbl->it_ops;

	return !ops->tce_kill && ops->set && ops->clear;
}

/**
 * tce_window_alloc() - create an iommu_table for a DMA window
 * @mm: the mm charged for the table's memory (locked_vm); may be NULL
 * @table_group: the table group whose ops create the table
 * @num: the window number the table is meant for
 * @page_shift: IOMMU page shift of the window
 * @window_size: size of the window in bytes
 * @levels: number of indirect levels of the table
 * @v2: the window will map pre-registered memory (v2); else it pins the
 *	pages it maps (v1)
 * @win: where the window is returned; one reference of its table is held
 *
 * The table's size, as the platform's get_table_size() gives it, is
 * charged to @mm's locked_vm (subject to RLIMIT_MEMLOCK) before the table
 * is created, and a v1 window's &tce_window.held array (8 bytes per entry,
 * charged to the memory cgroup) is allocated then too: once create_table()
 * succeeded nothing can fail here, because on some platforms (pseries)
 * creating the table also creates the window in firmware, which only
 * unset_window() takes back. tce_window_free() uncharges what was
 * charged.
 *
 * Return: 0, -EPERM if the platform cannot create tables, -EINVAL if it
 * rejects the geometry, -ENOMEM if over RLIMIT_MEMLOCK or out of memory,
 * or the platform's error from create_table.
 */
long tce_window_alloc(struct mm_struct *mm,
		      struct iommu_table_group *table_group, int num,
		      u32 page_shift, u64 window_size, u32 levels, bool v2,
		      struct tce_window *win)
{
	struct iommu_table_group_ops *ops = table_group->ops;
	struct iommu_table *tbl = NULL;
	unsigned long size, pages;
	u64 *held = NULL;
	long ret;

	if (!ops || !ops->create_table || !ops->get_table_size)
		return -EPERM;

	size = ops->get_table_size(page_shift, window_size, levels);
	if (!size)
		return -EINVAL;
	pages = DIV_ROUND_UP(size, PAGE_SIZE);

	ret = account_locked_vm(mm, pages, true);
	if (ret)
		return ret;

	if (!v2) {
		held = kvcalloc(window_size >> page_shift, sizeof(*held),
				GFP_KERNEL_ACCOUNT);
		if (!held) {
			ret = -ENOMEM;
			goto uncharge;
		}
	}

	ret = ops->create_table(table_group, num, page_shift, window_size,
				levels, &tbl);
	if (ret)
		goto free_held;

	win->tbl = tbl;
	win->held = held;
	win->charged = pages;
	return 0;

free_held:
	kvfree(held);
uncharge:
	account_locked_vm(mm, pages, false);
	return ret;
}

/**
 * tce_window_free() - drop a window made by tce_window_alloc()
 * @mm: the mm that was charged at creation
 * @win: the window; its TCEs must have been cleared already
 *
 * Drops the creator's reference of the table, uncharges what creating the
 * window charged and leaves @win empty.
 */
void tce_window_free(struct mm_struct *mm, struct tce_window *win)
{
	kvfree(win->held);
	iommu_tce_table_put(win->tbl);
	account_locked_vm(mm, win->charged, false);
	win->tbl = NULL;
	win->held = NULL;
	win->charged = 0;
}

/**
 * tce_window_set() - program a window into a table group
 * @table_group: the group's platform table group
 * @num: window number
 * @win: the window
 *
 * A window counts only once the group lists its table as its window @num:
 * that link is how TCE invalidations reach the group. powernv programs
 * the hardware first and ignores a failure to allocate the link; such a
 * window is taken back here, or UNMAP would release pages the group's
 * TCE cache may still translate.
 *
 * Return: 0, -EPERM if the platform has no set_window, its error, or
 * -ENOMEM if it did not link the table.
 */
long tce_window_set(struct iommu_table_group *table_group, int num,
		    const struct tce_window *win)
{
	struct iommu_table *tbl = win->tbl;
	long ret;

	if (!table_group->ops || !table_group->ops->set_window)
		return -EPERM;

	ret = table_group->ops->set_window(table_group, num, tbl);
	if (ret)
		return ret;
	if (table_group->tables[num] != tbl) {
		tce_window_unset(table_group, num);
		return -ENOMEM;
	}
	return 0;
}

/**
 * tce_window_unset() - take window @num back from a table group
 * @table_group: the group's platform table group
 * @num: window number
 *
 * The window's TCEs must have been cleared, unless the group never ran
 * with it (the undo of a set): the group's TCE cache is not reached by
 * the window's invalidations any more. The table stays with the
 * container that owns it.
 */
void tce_window_unset(struct iommu_table_group *table_group, int num)
{
	if (table_group->ops && table_group->ops->unset_window)
		table_group->ops->unset_window(table_group, num);
}

/*
 * Which bits of an entry's index (counted from it_offset) lie within one
 * leaf of @tbl: it_level_size entries with indirect levels, the whole
 * table without. The table's userspace view has the same shape.
 */
static unsigned long tce_leaf_mask(const struct iommu_table *tbl)
{
	return tbl->it_indirect_levels ? tbl->it_level_size - 1 : ~0UL;
}

/* Was @entry's indirect level never allocated? Then it holds no TCE. */
static bool tce_level_absent(struct iommu_table *tbl, unsigned long entry)
{
	if (!tbl->it_indirect_levels || !tbl->it_userspace ||
	    !tbl->it_ops->useraddrptr)
		return false;

	return !tbl->it_ops->useraddrptr(tbl, entry, false);
}

/*
 * v2: the page an entry held belongs to a pre-registered region; drop the
 * region's mapping count and forget the entry's user address. MAP never
 * maps user address 0 (see tce_map_locked()), so 0 is an empty view entry.
 */
static void tce_release_v2(struct mm_struct *mm, struct iommu_table *tbl,
			   unsigned long entry)
{
	struct mm_iommu_table_group_mem_t *mem;
	__be64 *pua = IOMMU_TABLE_USERSPACE_ENTRY_RO(tbl, entry);

	if (!pua || !*pua)
		return;

	/*
	 * The region may be another's than this container's (KVM maps
	 * through any region of the mm): the mm's list, walked under RCU as
	 * other regions may be freed meanwhile. A mapped region is not.
	 */
	rcu_read_lock();
	mem = mm_iommu_lookup(mm, be64_to_cpu(*pua), IOMMU_PAGE_SIZE(tbl));
	if (mem)
		mm_iommu_mapped_dec(mem);
	rcu_read_unlock();
	*pua = 0;
}

/*
 * Entry @k of @win's held array is cleared and held the pin of @page: pass
 * the pin on to the first follower that maps the same page (see the top of
 * this file), or release it.
 */
static void tce_pass_pin(struct tce_window *win, unsigned long k,
			 struct page *page)
{
	unsigned long last = min(k + (PAGE_SIZE >> win->tbl->it_page_shift),
				 win->tbl->it_size);
	u64 pfn = page_to_pfn(page), *held = win->held;

	for (k++; k < last; k++) {
		if (held[k] && !(held[k] & TCE_HELD_PIN) &&
		    held[k] >> PAGE_SHIFT == pfn) {
			held[k] |= TCE_HELD_PIN;
			return;
		}
	}
	unpin_user_page(page);
}

/*
 * v1: entry @x of @win (counted from it_offset), which the held array
 * says this backend wrote, no longer maps anything, and the device cannot
 * reach its page any more (the entry was cleared and invalidated). Forget
 * it; mark its page dirty if the device could write it, and release the
 * page's pin if the entry held it. The clear paths call this only for
 * entries the held array records (non-zero).
 */
static void tce_release_v1(struct tce_window *win, unsigned long x)
{
	u64 held = win->held[x];
	struct page *page = pfn_to_page(held >> PAGE_SHIFT);

	win->held[x] = 0;
	if (held & TCE_PCI_WRITE)
		SetPageDirty(page);
	if (held & TCE_HELD_PIN)
		tce_pass_pin(win, x, page);
}

/*
 * Is one of the @n entries from @held in use? Map asks of the entries of
 * one system page, a clear of up to TCE_CLEAR_BATCH.
 */
static bool tce_held_busy(const u64 *held, unsigned long n)
{
	while (n--)
		if (held[n])
			return true;
	return false;
}

/*
 * Does this backend hold something through @entry of @win, whatever the
 * table says? KVM's in-kernel handlers may clear a TCE of a window
 * attached to a guest's table without releasing what we took for it:
 * what we hold is what the held array (v1) or the userspace view (v2)
 * says. Map checks the same records before it writes an entry.
 */
static bool tce_ours(const struct tce_window *win, unsigned long entry)
{
	struct iommu_table *tbl = win->tbl;
	__be64 *pua;

	if (tce_window_v1(win))
		return win->held[entry - tbl->it_offset];
	pua = IOMMU_TABLE_USERSPACE_ENTRY_RO(tbl, entry);
	return pua && *pua;
}

/*
 * Runs: clear a batch of entries of a v1 window on a hypervisor table (see
 * tce_table_hv()), [entry, entry + n) with n <= TCE_CLEAR_BATCH, from its
 * held array, with one clear() call if it holds anything; the hypervisor
 * call leaves nothing cached. clear() reports no failure: H_STUFF_TCE
 * fails only for a window or range that is not the caller's, and this
 * window and range are. The entries we held are noted in @ours.
 *
 * Return: whether anything was cleared.
 */
static bool tce_clear_held(struct tce_window *win, unsigned long entry,
			   unsigned long n, unsigned long *ours)
{
	struct iommu_table *tbl = win->tbl;
	u64 *held = &win->held[entry - tbl->it_offset];
	unsigned long k;

	if (!tce_held_busy(held, n))
		return false;
	tbl->it_ops->clear(tbl, entry, n);
	for (k = 0; k < n; k++)
		if (held[k])
			__set_bit(k, ours);
	return true;
}

/*
 * Exchange: clear a batch of entries, [entry, entry + n) with n <=
 * TCE_CLEAR_BATCH, one exchange each, skipping indirect levels that were
 * never allocated. An entry whose exchange fails is left as it is, and
 * its page with it. Noted in @ours for release: v1, the entries the held
 * array records; v2, every entry that was live, whose release
 * (tce_release_v2()) reads the view after the invalidation.
 *
 * Return: whether an entry was live, in the table or in our records, and
 * is now cleared: the batch needs an invalidation.
 */
static bool tce_clear_xchg(struct mm_struct *mm, struct tce_window *win,
			   unsigned long entry, unsigned long n,
			   unsigned long *ours)
{
	struct iommu_table *tbl = win->tbl;
	unsigned long x0 = entry - tbl->it_offset, k;
	bool v1 = tce_window_v1(win), cleared = false;

	for (k = 0; k < n; k++) {
		enum dma_data_direction dir = DMA_NONE;
		unsigned long hpa = 0;

		if (tce_level_absent(tbl, entry + k)) {
			/* On to the last entry of this leaf */
			k = ((x0 + k) | tce_leaf_mask(tbl)) - x0;
			cond_resched();
			continue;
		}
		if (iommu_tce_xchg_no_kill(mm, tbl, entry + k, &hpa, &dir))
			continue;
		if (dir == DMA_NONE && !tce_ours(win, entry + k))
			continue;
		cleared = true;
		/*
		 * v1: release only what the held array says we wrote; v2:
		 * tce_release_v2() reads the view after the invalidation
		 */
		if (!v1 || win->held[x0 + k])
			__set_bit(k, ours);
	}
	return cleared;
}

/**
 * tce_window_clear() - clear TCEs and release the pages they held
 * @mm: the mm the pages came from (the container's)
 * @win: the window
 * @entry: first entry, in IOMMU pages from the start of the bus space
 *	(so it includes tbl->it_offset)
 * @pages: number of entries
 *
 * Batch by batch (TCE_CLEAR_BATCH entries), the entries are cleared, by
 * exchange or, on a v1 window of a hypervisor table, with one clear()
 * call; the batch is invalidated; only then is what each entry we held
 * released, once: a v1 page's pin (the page marked dirty if the device
 * could write it), a v2 region's mapping count. No page is released
 * while the IOMMU may still translate to it. An entry that held nothing
 * is not an error; one that could not be cleared keeps its page. The
 * table is flushed at the end.
 */
void tce_window_clear(struct mm_struct *mm, struct tce_window *win,
		      unsigned long entry, unsigned long pages)
{
	DECLARE_BITMAP(ours, TCE_CLEAR_BATCH);
	unsigned long last = entry + pages, n, k;
	struct iommu_table *tbl = win->tbl;
	bool v1 = tce_window_v1(win), runs = v1 && tce_table_hv(tbl), cleared;

	for (; entry < last; entry += n) {
		n = min(last - entry, TCE_CLEAR_BATCH);
		bitmap_zero(ours, TCE_CLEAR_BATCH);
		if (runs)
			cleared = tce_clear_held(win, entry, n, ours);
		else
			cleared = tce_clear_xchg(mm, win, entry, n, ours);
		if (cleared)
			iommu_tce_kill(tbl, entry, n);
		for_each_set_bit(k, ours, n) {
			if (v1)
				tce_release_v1(win, entry + k - tbl->it_offset);
			else
				tce_release_v2(mm, tbl, entry + k);
		}
		cond_resched();
	}
	iommu_flush_tce(tbl);
}

/**
 * tce_window_clear_all() - clear every TCE of a window
 * @mm: the mm the pages came from (the container's)
 * @win: the window
 *
 * tce_window_clear() over the whole window.
 */
void tce_window_clear_all(struct mm_struct *mm, struct tce_window *win)
{
	tce_window_clear(mm, win, win->tbl->it_offset, win->tbl->it_size);
}

/*
 * Runs: note what entries [@i, @i + @n) of the request map, from @hpa on:
 * v2 (one entry) its user address in the table's userspace view at @pua,
 * v1 their pages and permissions in the window's held array, the first
 * holding the pin of its system page.
 */
static void tce_record(const struct tce_map *m, unsigned long i,
		       unsigned long n, unsigned long hpa, __be64 *pua)
{
	struct iommu_table *tbl = m->win->tbl;
	unsigned int shift = tbl->it_page_shift;
	unsigned long k;
	u64 *held;

	if (!tce_window_v1(m->win)) {
		*pua = cpu_to_be64(m->ua + (i << shift));
		return;
	}
	held = &m->win->held[m->entry + i - tbl->it_offset];
	for (k = 0; k < n; k++)
		held[k] = (hpa + (k << shift)) | m->perm;
	held[0] |= TCE_HELD_PIN;
}

/*
 * Exchange: write one TCE. If the entry was live, put the old one back and
 * fail with -EBUSY: a mapping is never replaced behind userspace's back.
 *
 * Through the platform's op, not iommu_tce_xchg_no_kill(): all that adds
 * is marking the old entry's page dirty, for whoever releases it, and
 * nothing is released here (the old entry, if any, goes back as it was;
 * the new page has not been reached by the device).
 *
 * Inlined: powernv9 MAP, v2 7% and v1 9% fewer instructions per TCE
 */
static __always_inline long tce_write(struct iommu_table *tbl,
				      unsigned long entry, unsigned long hpa,
				      enum dma_data_direction dir)
{
	long ret;

	ret = tbl->it_ops->xchg_no_kill(tbl, entry, &hpa, &dir);
	if (ret || dir == DMA_NONE)
		return ret;
	/* It now maps the new page, and held hpa, dir: put those back */
	WARN_ON(tbl->it_ops->xchg_no_kill(tbl, entry, &hpa, &dir));
	iommu_tce_kill(tbl, entry, 1);
	return -EBUSY;
}

/**
 * struct tce_run - consecutive entries of a request, not written yet, that
 *	map physically contiguous memory
 * @i: the first, as an index into the request
 * @n: how many; 0: no run
 * @hpa: host physical address the first maps
 */
struct tce_run {
	unsigned long i;
	unsigned long n;
	unsigned long hpa;
};

/*
 * Write @run with one set() call. Its entries were recorded already. On
 * failure the run is left as it was.
 *
 * Inlined: v2 MAP in 64 KiB calls, pseries -icount: 4.6% faster
 */
static __always_inline long tce_run_write(const struct tce_map *m,
					  struct tce_run *run,
					  unsigned long *done)
{
	struct iommu_table *tbl = m->win->tbl;

	if (!run->n)
		return 0;
	/* The platform's codes are hypervisor return codes, not errnos */
	if (tbl->it_ops->set(tbl, m->entry + run->i, run->n,
			     (unsigned long)__va(run->hpa), m->dir, 0))
		return -EIO;
	*done += run->n;
	run->n = 0;
	return 0;
}

/*
 * Forget the entries of @run, recorded but not written: their records and,
 * v2, their mapping counts (as clearing a written entry would). v1 pins are
 * the caller's.
 */
static void tce_run_drop(const struct tce_map *m, struct tce_run *run)
{
	struct iommu_table *tbl = m->win->tbl;
	unsigned long entry;

	for (; run->n; run->n--) {
		entry = m->entry + run->i + run->n - 1;
		if (tce_window_v1(m->win))
			m->win->held[entry - tbl->it_offset] = 0;
		else
			tce_release_v2(m->mm, tbl, entry);
	}
}

/*
 * Runs: add entries [@i, @i + @n) of the request, which map the physically
 * contiguous memory at @hpa (v1 the IOMMU pages of one system page, v2 one
 * entry, its userspace view entry at @pua), which the caller found free.
 * Extend @run with them, or write @run and start a new one: a run ends
 * where contiguity does, and at TCE_RUN_MAX entries. @done counts
 * the entries written; on failure the caller drops @run.
 *
 * Inlined: v2 MAP on pseries (-icount) 26% faster
 */
static __always_inline long tce_add_run(const struct tce_map *m,
					struct tce_run *run, unsigned long i,
					unsigned long n, unsigned long hpa,
					__be64 *pua, unsigned long *done)
{
	struct iommu_table *tbl = m->win->tbl;
	unsigned int shift = tbl->it_page_shift;
	long ret;

	if (i != run->i + run->n || hpa != run->hpa + (run->n << shift) ||
	    run->n + n > TCE_RUN_MAX) {
		ret = tce_run_write(m, run, done);
		if (ret)
			return ret;
		run->i = i;
		run->hpa = hpa;
	}
	tce_record(m, i, n, hpa, pua);
	run->n += n;
	return 0;
}

/*
 * Index of the system page of IOMMU page @i of a request from user address
 * @ua, counted from that of IOMMU page @t0
 */
static unsigned long tce_page_index(unsigned long ua, unsigned int shift,
				    unsigned long t0, unsigned long i)
{
	return ((ua + (i << shift)) >> PAGE_SHIFT) -
	       ((ua + (t0 << shift)) >> PAGE_SHIFT);
}

/*
 * Pin the system pages of IOMMU pages [t0, t1) of the request, once each,
 * in order into @pages, with one pin_user_pages_fast() call.
 *
 * Return: how many, or -EFAULT with nothing left pinned.
 */
static long tce_pin(const struct tce_map *m, unsigned long t0,
		    unsigned long t1, struct page **pages)
{
	unsigned int flags = m->dir == DMA_TO_DEVICE ? 0 : FOLL_WRITE;
	unsigned int shift = m->win->tbl->it_page_shift;
	unsigned long ua0 = m->ua + (t0 << shift);
	long n = tce_page_index(m->ua, shift, t0, t1 - 1) + 1, got;

	got = pin_user_pages_fast(ua0 & PAGE_MASK, n, flags, pages);
	if (got == n)
		return n;
	if (got > 0)
		unpin_user_pages(pages, got);
	return -EFAULT;
}

/* Physical address of IOMMU page @i of a request from @ua, inside @page */
static unsigned long tce_hpa(unsigned long ua, unsigned int shift,
			     unsigned long i, struct page *page)
{
	return page_to_phys(page) + ((ua + (i << shift)) & ~PAGE_MASK);
}

/* IOMMU pages of @shift in the system page of @hpa, from @hpa on */
static unsigned long tce_page_rest(unsigned long hpa, unsigned int shift)
{
	return (PAGE_SIZE - (hpa & ~PAGE_MASK)) >> shift;
}

/*
 * Exchange, v1: write the TCEs of IOMMU pages [@i, @t1) of the request,
 * @pages being the system pages pinned for them, noting each entry in the
 * held array once it is written; the first entry of each page takes the
 * page's pin.
 *
 * Return: 0 or the exchange's error. *@done: the entries of the request
 * written, which are all those before the one that failed.
 */
static long tce_write_chunk(const struct tce_map *m, struct page **pages,
			    unsigned long i, unsigned long t1,
			    unsigned long *done)
{
	struct iommu_table *tbl = m->win->tbl;
	unsigned int shift = tbl->it_page_shift;
	unsigned long entry = m->entry, ua = m->ua, hpa, end;
	u64 *held = &m->win->held[entry - tbl->it_offset];
	enum dma_data_direction dir = m->dir;
	u64 perm = m->perm, pin;
	long ret = 0;

	for (; i < t1; pages++) {
		hpa = tce_hpa(ua, shift, i, *pages);
		end = min(t1, i + tce_page_rest(hpa, shift));
		for (pin = TCE_HELD_PIN; i < end;
		     i++, pin = 0, hpa += 1UL << shift) {
			/* What this backend recorded, see tce_ours() */
			if (held[i]) {
				ret = -EBUSY;
				goto out;
			}
			ret = tce_write(tbl, entry + i, hpa, dir);
			if (ret)
				goto out;
			held[i] = hpa | perm | pin;
		}
	}
out:
	*done = i;
	return ret;
}

/*
 * Runs, v1: add the TCEs of IOMMU pages [@i, @t1) of the request to runs,
 * a system page at a time (@pages, pinned for them), writing each run
 * when it cannot grow, the last one at the end. On failure the caller
 * drops @run.
 *
 * Not inlined into tce_map_v1(): v1 MAP on pseries (-icount) 7% faster
 */
static noinline long tce_run_chunk(const struct tce_map *m,
				   struct page **pages, unsigned long i,
				   unsigned long t1, struct tce_run *run,
				   unsigned long *done)
{
	struct iommu_table *tbl = m->win->tbl;
	unsigned int shift = tbl->it_page_shift;
	u64 *held = &m->win->held[m->entry - tbl->it_offset];
	unsigned long n, hpa;
	long ret;

	for (; i < t1; i += n, pages++) {
		hpa = tce_hpa(m->ua, shift, i, *pages);
		n = min(t1 - i, tce_page_rest(hpa, shift));
		/* What this backend recorded is what the entries hold */
		if (tce_held_busy(&held[i], n))
			return -EBUSY;
		ret = tce_add_run(m, run, i, n, hpa, NULL, done);
		if (ret)
			return ret;
	}
	return tce_run_write(m, run, done);
}

/* v1: pin in batches, then write the TCEs of each batch */
static long tce_map_v1(const struct tce_map *m, unsigned long *done)
{
	struct page *small[TCE_SMALL_MAP + 1] __uninitialized, **pages;
	unsigned int shift = m->win->tbl->it_page_shift;
	unsigned long chunk, t0, t1, p;
	struct tce_run run = {};
	long npages, ret = 0;

	/*
	 * v1 maps only the default window, whose IOMMU pages are 4K: never
	 * bigger than a system page, so each lies inside the page pinned
	 * for it and needs no size check (pinned pages are never device
	 * memory).
	 */
	if (WARN_ON_ONCE(shift > PAGE_SHIFT))
		return -EINVAL;
	chunk = min(TCE_PIN_BATCH << (PAGE_SHIFT - shift), m->pages);

	/*
	 * The system pages of a chunk, one more than it fills at most: on
	 * the stack for the small calls QEMU makes per guest H_PUT_TCE, else
	 * allocated.
	 */
	if (chunk <= TCE_SMALL_MAP)
		pages = small;
	else
		pages = kvmalloc_array(min(chunk, TCE_PIN_BATCH) + 1,
				       sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	for (t0 = 0; t0 < m->pages; t0 = t1) {
		/* Between chunks: a small call is one chunk */
		if (t0)
			cond_resched();
		t1 = min(t0 + chunk, m->pages);
		npages = tce_pin(m, t0, t1, pages);
		if (npages < 0) {
			ret = npages;
			break;
		}
		if (m->runs)
			ret = tce_run_chunk(m, pages, t0, t1, &run, done);
		else
			ret = tce_write_chunk(m, pages, t0, t1, done);
		if (ret) {
			tce_run_drop(m, &run);
			/*
			 * A page's pin is its first entry's in the chunk: keep
			 * those of the pages whose first entry was written
			 */
			p = *done > t0 ?
			    tce_page_index(m->ua, shift, t0, *done - 1) + 1 : 0;
			unpin_user_pages(&pages[p], npages - p);
			break;
		}
	}
	if (pages != small)
		kvfree(pages);
	return ret;
}

/*
 * The userspace view entry of @entry, in a walk through consecutive
 * entries: @prev is that of @entry - 1, or NULL. The view has the table's
 * shape, one array or, with indirect levels, leaves of @leaf_mask + 1
 * entries counted from it_offset: within a leaf an entry follows the
 * previous one, and only a leaf's first needs the platform's walk.
 * @leaf_mask is from tce_leaf_mask().
 */
static __be64 *tce_user_entry(struct iommu_table *tbl, unsigned long entry,
			      unsigned long leaf_mask, __be64 *prev)
{
	if (prev && ((entry - tbl->it_offset) & leaf_mask))
		return prev + 1;
	return IOMMU_TABLE_USERSPACE_ENTRY(tbl, entry);
}

/*
 * v2: the region of this container's that translates the IOMMU page of
 * @shift at @ua, and the host address it translates to. Only this
 * container's: a region another container of the same mm registered may
 * go away with that container. The list is the container's, under its
 * lock, unlike the mm's list of regions.
 */
static struct mm_iommu_table_group_mem_t *
tce_map_region(const struct tce_map *m, unsigned long ua, unsigned int shift,
	       unsigned long *hpa)
{
	struct tce_prereg *p;

	list_for_each_entry(p, m->preregs, node)
		if (!mm_iommu_ua_to_hpa(p->mem, ua, shift, hpa))
			return p->mem;
	return NULL;
}

/*
 * v2: does the IOMMU page of @shift at @ua, which @mem translates to @hpa,
 * lie wholly in memory @mem pinned, at the addresses the TCE will reach?
 * An IOMMU page no bigger than a system page lies in the one system page
 * @hpa is in (@ua is aligned to it). A bigger one must start at an
 * aligned @hpa and every system page of it must be in the region and the
 * next one of it. The region's page shift does not promise that:
 * mm_iommu_new() takes it from a huge page and keeps it for the smaller
 * pages after it.
 */
static bool tce_map_contained(struct mm_iommu_table_group_mem_t *mem,
			      unsigned long ua, unsigned int shift,
			      unsigned long hpa)
{
	unsigned long off, next;

	if (shift <= PAGE_SHIFT)
		return true;
	if (hpa & ((1UL << shift) - 1))
		return false;
	for (off = PAGE_SIZE; off < 1UL << shift; off += PAGE_SIZE) {
		if (mm_iommu_ua_to_hpa(mem, ua + off, PAGE_SHIFT, &next) ||
		    next != hpa + off)
			return false;
	}
	return true;
}

/*
 * v2: the host address of the IOMMU page of @shift at @ua, through @mem if
 * it holds it (@mem: the region of the previous page, or NULL), else
 * through the region of this container's that does. Consecutive pages are
 * mostly in the region of the previous one.
 *
 * Return: 0; -EINVAL if no region of this container's holds the page (or
 * its pages are smaller than the IOMMU page); -EPERM if the IOMMU page
 * would reach memory the region did not pin for it.
 */
static long tce_map_hpa(const struct tce_map *m, unsigned long ua,
			unsigned int shift,
			struct mm_iommu_table_group_mem_t **mem,
			unsigned long *hpa)
{
	if (!*mem || mm_iommu_ua_to_hpa(*mem, ua, shift, hpa)) {
		*mem = tce_map_region(m, ua, shift, hpa);
		if (!*mem)
			return -EINVAL;
	}
	if (!tce_map_contained(*mem, ua, shift, *hpa))
		return -EPERM;
	return 0;
}

/* v2: translate through pre-registered memory, counting its mappings */
static long tce_map_v2(const struct tce_map *m, unsigned long *done)
{
	struct iommu_table *tbl = m->win->tbl;
	unsigned int shift = tbl->it_page_shift;
	unsigned long leaf_mask = tce_leaf_mask(tbl);
	unsigned long entry = m->entry, ua = m->ua, count = m->pages;
	enum dma_data_direction dir = m->dir;
	struct mm_iommu_table_group_mem_t *mem = NULL;
	unsigned long i, hpa, written = 0;
	struct tce_run run = {};
	__be64 *pua = NULL;
	long ret = 0;

	for (i = 0; i < count; i++, ua += 1UL << shift) {
		ret = tce_map_hpa(m, ua, shift, &mem, &hpa);
		if (ret)
			break;

		pua = tce_user_entry(tbl, entry + i, leaf_mask, pua);
		if (!pua) {
			ret = -ENOMEM;
			break;
		}
		/* What this backend recorded, see tce_ours() */
		if (*pua) {
			ret = -EBUSY;
			break;
		}

		ret = mm_iommu_mapped_inc(mem);
		if (ret)
			break;
		if (m->runs) {
			ret = tce_add_run(m, &run, i, 1, hpa, pua, &written);
		} else {
			ret = tce_write(tbl, entry + i, hpa, dir);
			if (!ret) {
				*pua = cpu_to_be64(ua);
				written++;
			}
		}
		if (ret) {
			mm_iommu_mapped_dec(mem);
			break;
		}

		if (!((i + 1) % TCE_CLEAR_BATCH))
			cond_resched();
	}
	if (!ret)
		ret = tce_run_write(m, &run, &written);
	if (ret)
		tce_run_drop(m, &run);
	*done = written;
	return ret;
}

/**
 * tce_window_map() - map user memory into a window
 * @mm: the container's mm
 * @preregs: v2: the container's regions (&tce_container.preregs), the
 *	only ones it maps through
 * @win: the window
 * @entry: first TCE, in IOMMU pages from the start of the bus space
 * @pages: number of TCEs, at least one
 * @ua: user address of the first IOMMU page, aligned to the IOMMU page size
 * @dir: DMA direction of every TCE
 *
 * The range [@entry, @entry + @pages) must have been checked against the
 * window. A v1 window pins the user pages, in batches; a v2 window
 * translates through the container's pre-registered memory. Each IOMMU
 * page gets one TCE; the TCEs of one system page share one pin of it
 * (v1), or each holds one mapping count of its region (v2). An entry that
 * is already live is left as it was and fails the call. The range is
 * invalidated once and the table flushed; on tables written through the
 * hypervisor, physically contiguous entries are written as runs. On
 * failure every entry this call wrote is cleared and released again.
 *
 * Return: 0; -EFAULT if pages could not be pinned; -EINVAL if v2 memory is
 * not pre-registered by this container (or its pages smaller than the
 * IOMMU page); -EPERM if a v2 IOMMU page is not wholly inside memory its
 * region pinned; -EBUSY if an entry was already mapped; -ENOMEM; -EIO if
 * the hypervisor failed a run; or the platform's error from an exchange.
 */
long tce_window_map(struct mm_struct *mm, const struct list_head *preregs,
		    struct tce_window *win, unsigned long entry,
		    unsigned long pages, unsigned long ua,
		    enum dma_data_direction dir)
{
	struct tce_map m = {
		.mm = mm, .preregs = preregs, .win = win, .entry = entry,
		.pages = pages, .ua = ua, .dir = dir,
	};
	unsigned long done = 0;
	long ret;

	/*
	 * Runs, on tables written through the hypervisor. set() gives the
	 * device read access whatever the direction, so a write-only
	 * mapping is exchanged entry by entry there too.
	 */
	m.runs = dir != DMA_FROM_DEVICE && tce_table_hv(win->tbl);
	if (tce_window_v1(win)) {
		m.perm = iommu_direction_to_tce_perm(dir);
		ret = tce_map_v1(&m, &done);
	} else {
		ret = tce_map_v2(&m, &done);
	}

	if (ret) {
		tce_window_clear(mm, win, entry, done);
		return ret;
	}
	iommu_tce_kill(win->tbl, entry, pages);
	iommu_flush_tce(win->tbl);
	return 0;
}

static int tce_user_range_cmp(const void *key, const void *elt)
{
	unsigned long ua = *(const unsigned long *)key;
	const struct tce_user_range *r = elt;

	if (ua < r->ua)
		return -1;
	return ua - r->ua < r->size ? 0 : 1;
}

/**
 * tce_window_count_user() - count a v2 window's entries by user range
 * @win: the window; it has a userspace view (v2)
 * @ranges: disjoint user address ranges, sorted by start; the entries
 *	found in each are added to its &tce_user_range.entries
 * @n: the number of @ranges
 *
 * Reads the window's userspace view once, which records the user address
 * of every live entry whoever wrote it (this backend, or KVM's in-kernel
 * handlers), leaf by leaf, skipping the leaves never allocated. An IOMMU
 * page lies wholly in one pre-registered region (see
 * tce_map_contained()), so an entry maps a range if its user address
 * is in it. KVM may write the view meanwhile: each slot is read once.
 */
void tce_window_count_user(const struct tce_window *win,
			   struct tce_user_range *ranges, unsigned int n)
{
	struct iommu_table *tbl = win->tbl;
	unsigned long leaf = tbl->it_indirect_levels ? tbl->it_level_size :
						       tbl->it_size;
	struct tce_user_range *r;
	unsigned long x, k, m, ua;
	__be64 *pua;

	for (x = 0; x < tbl->it_size; x += leaf) {
		pua = IOMMU_TABLE_USERSPACE_ENTRY_RO(tbl, tbl->it_offset + x);
		m = min(leaf, tbl->it_size - x);
		for (k = 0; pua && k < m; k++) {
			ua = be64_to_cpu(READ_ONCE(pua[k]));
			if (ua) {
				r = bsearch(&ua, ranges, n, sizeof(*ranges),
					    tce_user_range_cmp);
				if (r)
					r->entries++;
			}
			if (!((k + 1) % TCE_CLEAR_BATCH))
				cond_resched();
		}
		cond_resched();
	}
}

/**
 * tce_window_held_entries() - count what a v1 window's held array records
 * @win: the window; it has a held array (v1)
 * @pins: where the number of page pins its entries hold is written
 *
 * Return: the number of entries this backend mapped.
 */
unsigned long tce_window_held_entries(const struct tce_window *win,
				      unsigned long *pins)
{
	unsigned long i, count = 0;

	*pins = 0;
	for (i = 0; i < win->tbl->it_size; i++) {
		count += !!win->held[i];
		*pins += !!(win->held[i] & TCE_HELD_PIN);
		if (!((i + 1) % TCE_CLEAR_BATCH))
			cond_resched();
	}
	return count;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCE table operations of vfio_spapr_tce: create and destroy the DMA
 * windows a container owns, program them into a table group, and clear
 * ranges of TCEs, releasing the user pages they held.
 *
 * Locking: these helpers keep no state of their own. The caller holds the
 * container lock, which serialises every change to the windows it owns.
 * The TCE exchange is atomic per entry in the platform code, so clearing
 * needs no lock of its own. account_locked_vm() takes the mm's mmap_lock,
 * which nests inside the container lock.
 */

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <asm/iommu.h>

#include "vfio_spapr_tce.h"

/* Entries cleared between two chances to reschedule */
#define TCE_CLEAR_BATCH	512

/**
 * tce_window_create() - create an iommu_table for a DMA window
 * @mm: the mm charged for the table's memory (locked_vm); may be NULL
 * @table_group: the table group whose ops create the table
 * @num: the window number the table is meant for
 * @page_shift: IOMMU page shift of the window
 * @window_size: size of the window in bytes
 * @levels: number of indirect levels of the table
 * @ptbl: where the new table is returned; one reference is held on it
 *
 * The memory the platform allocated for the table (it_allocated_size) is
 * charged to @mm's locked_vm, subject to RLIMIT_MEMLOCK. tce_window_destroy()
 * uncharges exactly that.
 *
 * Return: 0, -EPERM if the platform cannot create tables, -EINVAL if it
 * rejects the geometry, -ENOMEM if over RLIMIT_MEMLOCK, or the platform's
 * error from create_table.
 */
long tce_window_create(struct mm_struct *mm,
		       struct iommu_table_group *table_group, int num,
		       u32 page_shift, u64 window_size, u32 levels,
		       struct iommu_table **ptbl)
{
	struct iommu_table_group_ops *ops = table_group->ops;
	struct iommu_table *tbl = NULL;
	long ret;

	if (!ops || !ops->create_table || !ops->get_table_size)
		return -EPERM;

	if (!ops->get_table_size(page_shift, window_size, levels))
		return -EINVAL;

	ret = ops->create_table(table_group, num, page_shift, window_size,
				levels, &tbl);
	if (ret)
		return ret;

	ret = account_locked_vm(mm, tbl->it_allocated_size >> PAGE_SHIFT, true);
	if (ret) {
		iommu_tce_table_put(tbl);
		return ret;
	}

	*ptbl = tbl;
	return 0;
}

/**
 * tce_window_destroy() - drop a table made by tce_window_create()
 * @mm: the mm that was charged at creation
 * @tbl: the table; its TCEs must have been cleared already
 *
 * Drops the creator's reference and uncharges the table's memory.
 */
void tce_window_destroy(struct mm_struct *mm, struct iommu_table *tbl)
{
	unsigned long pages = tbl->it_allocated_size >> PAGE_SHIFT;

	iommu_tce_table_put(tbl);
	account_locked_vm(mm, pages, false);
}

/**
 * tce_window_take() - program a window into a table group
 * @table_group: the group's platform table group
 * @num: window number
 * @tbl: the table backing the window
 *
 * Return: 0, -EPERM if the platform has no set_window, or its error.
 */
long tce_window_take(struct iommu_table_group *table_group, int num,
		     struct iommu_table *tbl)
{
	if (!table_group->ops || !table_group->ops->set_window)
		return -EPERM;

	return table_group->ops->set_window(table_group, num, tbl);
}

/* Was @entry's indirect level never allocated? Then it holds no TCE. */
static bool tce_level_absent(struct iommu_table *tbl, unsigned long entry)
{
	if (!tbl->it_indirect_levels || !tbl->it_userspace ||
	    !tbl->it_ops->useraddrptr)
		return false;

	return !tbl->it_ops->useraddrptr(tbl, entry, false);
}

/**
 * tce_window_clear() - clear TCEs and release the pages they held
 * @mm: the mm the pages were pinned from (the container's)
 * @tbl: the table
 * @entry: first entry, in IOMMU pages from the start of the bus space
 *	(so it includes tbl->it_offset)
 * @pages: number of entries
 *
 * Each entry is exchanged for an empty one; a page an entry held is
 * unpinned once (and was marked dirty by the exchange if the device could
 * write it). The range is invalidated once, at the end. An entry that held
 * nothing is not an error.
 *
 * Return: the number of entries that held a page.
 */
unsigned long tce_window_clear(struct mm_struct *mm, struct iommu_table *tbl,
			       unsigned long entry, unsigned long pages)
{
	unsigned long first = entry, last = entry + pages, released = 0;

	for (; entry < last; entry++) {
		enum dma_data_direction dir = DMA_NONE;
		unsigned long hpa = 0;

		if (tce_level_absent(tbl, entry)) {
			/* Skip to the last entry of this level */
			entry |= tbl->it_level_size - 1;
			continue;
		}

		if (!((entry - first + 1) % TCE_CLEAR_BATCH))
			cond_resched();

		if (iommu_tce_xchg_no_kill(mm, tbl, entry, &hpa, &dir))
			continue;
		if (dir == DMA_NONE)
			continue;

		unpin_user_page(pfn_to_page(hpa >> PAGE_SHIFT));
		released++;
	}

	iommu_tce_kill(tbl, first, pages);

	return released;
}

/**
 * tce_window_put() - take a window back from a table group
 * @mm: the container's mm
 * @table_group: the group's platform table group
 * @num: window number
 * @tbl: the table backing the window
 *
 * Clears every TCE of the window, releasing the pages, then unsets the
 * window on the group. The table itself stays with its owner.
 */
void tce_window_put(struct mm_struct *mm,
		    struct iommu_table_group *table_group, int num,
		    struct iommu_table *tbl)
{
	tce_window_clear(mm, tbl, tbl->it_offset, tbl->it_size);
	if (table_group->ops && table_group->ops->unset_window)
		table_group->ops->unset_window(table_group, num);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_spapr_tce: VFIO IOMMU backend for IBM POWER sPAPR TCE tables.
 *
 * A container owns the DMA windows (iommu_tables) of the groups attached
 * to it: it creates them, programs them into every attached group, charges
 * the memory they may pin to the user's locked_vm, and on detach and release
 * clears every TCE, releases the pages and takes the windows back.
 *
 * The VFIO core claims the DMA ownership of a group (through the platform
 * iommu_ops) before it calls attach_group; this backend only manages the
 * windows.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string_helpers.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <kunit/visibility.h>
#include <asm/eeh.h>
#include <asm/iommu.h>
#include <asm/mmu_context.h>

#include "vfio.h"
#include "vfio_spapr_tce.h"

#define CREATE_TRACE_POINTS
#include "vfio_spapr_tce_trace.h"

/* /sys/kernel/debug/vfio_spapr_tce: a directory per container */
static struct dentry *tce_debugfs_root;
static atomic64_t tce_container_ids = ATOMIC64_INIT(0);

/* The tracepoints' clock: read only while the event is enabled */
static u64 tce_trace_clock(bool enabled)
{
	return enabled ? ktime_get_ns() : 0;
}

static u64 tce_trace_ns(u64 t0)
{
	return t0 ? ktime_get_ns() - t0 : 0;
}

static struct tce_group *tce_first_group(struct tce_container *container)
{
	lockdep_assert_held(&container->lock);
	return list_first_entry_or_null(&container->groups, struct tce_group,
					node);
}

static struct tce_group *tce_find_group(struct tce_container *container,
					struct iommu_group *grp)
{
	struct tce_group *tg;

	lockdep_assert_held(&container->lock);
	list_for_each_entry(tg, &container->groups, node)
		if (tg->grp == grp)
			return tg;
	return NULL;
}

/*
 * May the caller act on the container? Only from the mm it is bound to;
 * with @bind, an unbound container is bound to the caller's mm now. Under
 * the container lock, held across the operation that follows, so the
 * answer stays true for it.
 */
static long tce_mm_check(struct tce_container *container, bool bind)
{
	lockdep_assert_held(&container->lock);

	if (container->mm)
		return container->mm == current->mm ? 0 : -EPERM;
	if (!bind)
		return 0;
	if (!current->mm)
		return -EPERM;

	mmgrab(current->mm);
	container->mm = current->mm;
	container->owner_pid = task_tgid_nr(current);
	get_task_comm(container->owner_comm, current);
	return 0;
}

/* Program every window of the container into @table_group; all or nothing */
static long tce_container_set_windows(struct tce_container *container,
				      struct iommu_table_group *table_group)
{
	long ret;
	int i;

	lockdep_assert_held(&container->lock);
	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (!container->windows[i].tbl)
			continue;
		ret = tce_window_set(table_group, i, &container->windows[i]);
		if (ret)
			goto undo;
	}
	return 0;

undo:
	while (--i >= 0)
		if (container->windows[i].tbl)
			tce_window_unset(table_group, i);
	return ret;
}

/* Create window @num and program it into every attached group */
static long tce_container_add_window(struct tce_container *container,
				     int num, u32 page_shift, u64 window_size,
				     u32 levels)
{
	struct tce_group *first = tce_first_group(container), *tg;
	struct tce_window *win = &container->windows[num];
	long ret;

	lockdep_assert_held(&container->lock);
	if (!first)
		return -ENODEV;
	if (!first->table_group->ops->set_window ||
	    !first->table_group->ops->unset_window)
		return -EPERM;

	ret = tce_window_alloc(container->mm, first->table_group, num,
			       page_shift, window_size, levels, container->v2,
			       win);
	if (ret)
		return ret;

	list_for_each_entry(tg, &container->groups, node) {
		ret = tce_window_set(tg->table_group, num, win);
		if (ret)
			goto undo;
	}
	return 0;

undo:
	/*
	 * Unset it where it was set. Where creating the table also set the
	 * window (pseries), set_window() cannot fail on the first group, so
	 * this takes that back too.
	 */
	list_for_each_entry_continue_reverse(tg, &container->groups, node)
		tce_window_unset(tg->table_group, num);
	tce_window_free(container->mm, win);
	return ret;
}

/**
 * tce_container_default_window() - create the default window if pending
 * @container: the container; its lock held
 *
 * The default 32-bit window is created the first time one is needed: by
 * MAP_DMA, UNMAP_DMA and TCE_CREATE, which call this first.
 *
 * Return: 0 (also when nothing was pending), -ENODEV with no group, or the
 * error of creating or programming the window.
 */
VISIBLE_IF_KUNIT long
tce_container_default_window(struct tce_container *container)
{
	struct tce_group *first = tce_first_group(container);
	long ret;

	lockdep_assert_held(&container->lock);
	if (!container->def_window_pending)
		return 0;
	if (!first)
		return -ENODEV;

	ret = tce_container_add_window(container, 0, IOMMU_PAGE_SHIFT_4K,
				       first->table_group->tce32_size, 1);
	if (!ret)
		container->def_window_pending = false;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(tce_container_default_window);

static long tce_enable(struct tce_container *container)
{
	struct tce_group *first = tce_first_group(container);
	unsigned long pages;
	long ret;

	lockdep_assert_held(&container->lock);
	if (container->enabled)
		return -EBUSY;
	if (!first)
		return -ENODEV;
	if (!first->table_group->tce32_size)
		return -EPERM;

	ret = tce_mm_check(container, true);
	if (ret)
		return ret;

	/*
	 * Pages are pinned at map time, on a hot path; charge the worst case,
	 * the whole 32-bit window, once here instead.
	 */
	pages = first->table_group->tce32_size >> PAGE_SHIFT;
	ret = account_locked_vm(container->mm, pages, true);
	if (ret)
		return ret;

	container->locked_pages = pages;
	WRITE_ONCE(container->enabled, true);
	return 0;
}

/* Clear every TCE of every window, releasing what they held */
static void tce_container_clear_windows(struct tce_container *container)
{
	int i;

	lockdep_assert_held(&container->lock);
	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (container->windows[i].tbl)
			tce_window_clear_all(container->mm,
					     &container->windows[i]);
}

/*
 * Stop mapping and give back what ENABLE charged. That charge is what
 * covers the pages v1 MAP pins: callers clear the windows in the same
 * critical section (DISABLE, detach, release), so that nothing stays
 * pinned uncharged.
 */
static void tce_disable(struct tce_container *container)
{
	lockdep_assert_held(&container->lock);
	if (!container->enabled)
		return;

	account_locked_vm(container->mm, container->locked_pages, false);
	container->locked_pages = 0;
	WRITE_ONCE(container->enabled, false);
}

/* Free every window: cleared and unset from every group already */
static void tce_container_free_windows(struct tce_container *container)
{
	int i;

	lockdep_assert_held(&container->lock);
	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (container->windows[i].tbl)
			tce_window_free(container->mm, &container->windows[i]);
	container->def_window_pending = false;
}

/*
 * Count the TCEs of @container's windows that map into each of @ranges
 * (v2; sorted, disjoint)
 */
static void tce_container_count_user(struct tce_container *container,
				     struct tce_user_range *ranges,
				     unsigned int n)
{
	int i;

	lockdep_assert_held(&container->lock);
	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (container->windows[i].tbl)
			tce_window_count_user(&container->windows[i], ranges,
					      n);
	}
}

static struct tce_prereg *tce_prereg_find(struct tce_container *container,
					  struct mm_iommu_table_group_mem_t *mem)
{
	struct tce_prereg *p;

	lockdep_assert_held(&container->lock);
	list_for_each_entry(p, &container->preregs, node)
		if (p->mem == mem)
			return p;
	return NULL;
}

/* Give back a region; fails with -EBUSY while TCEs still map it */
static long tce_prereg_put(struct tce_container *container,
			   struct tce_prereg *p)
{
	long ret;

	lockdep_assert_held(&container->lock);
	ret = mm_iommu_put(container->mm, p->mem);
	if (ret)
		return ret;
	list_del(&p->node);
	kfree(p);
	return 0;
}

/* At release: every window is gone, so every region can go */
static void tce_preregs_drop(struct tce_container *container)
{
	struct tce_prereg *p, *tmp;

	lockdep_assert_held(&container->lock);
	list_for_each_entry_safe(p, tmp, &container->preregs, node)
		WARN_ON(tce_prereg_put(container, p));
}

/* debugfs: what one window holds */
static void tce_show_window(struct seq_file *s, struct tce_container *container,
			    int num, unsigned long *pins)
{
	struct tce_window *win = &container->windows[num];
	struct iommu_table *tbl = win->tbl;
	struct tce_user_range all = { .size = ULONG_MAX };
	unsigned long mapped, win_pins = 0;

	lockdep_assert_held(&container->lock);
	if (container->v2) {
		tce_window_count_user(win, &all, 1);
		mapped = all.entries;
	} else {
		mapped = tce_window_held_entries(win, &win_pins);
	}
	*pins += win_pins;
	seq_printf(s, "window %d: start 0x%llx size 0x%llx page_shift %lu levels %lu table %lu pages entries %lu mapped %lu pinned %lu\n",
		   num, (u64)tbl->it_offset << tbl->it_page_shift,
		   (u64)tbl->it_size << tbl->it_page_shift, tbl->it_page_shift,
		   tbl->it_indirect_levels + 1, win->charged, tbl->it_size,
		   mapped, win_pins);
}

static int tce_user_range_order(const void *a, const void *b)
{
	const struct tce_user_range *x = a, *y = b;

	return x->ua < y->ua ? -1 : x->ua > y->ua;
}

/*
 * debugfs: the container's regions, sorted, with the entries mapping
 * each, counted in one pass over each window; their pages in @registered
 */
static int tce_show_regions(struct seq_file *s,
			    struct tce_container *container,
			    unsigned long *registered)
{
	struct tce_user_range *ranges;
	struct tce_prereg *p;
	unsigned int n = 0, i;

	lockdep_assert_held(&container->lock);
	list_for_each_entry(p, &container->preregs, node)
		n++;
	*registered = 0;
	if (!n)
		return 0;
	ranges = kvmalloc_array(n, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;
	i = 0;
	list_for_each_entry(p, &container->preregs, node)
		ranges[i++] = (struct tce_user_range){ p->ua, p->size, 0 };
	sort(ranges, n, sizeof(*ranges), tce_user_range_order, NULL);
	tce_container_count_user(container, ranges, n);
	for (i = 0; i < n; i++) {
		*registered += ranges[i].size >> PAGE_SHIFT;
		seq_printf(s, "region: ua 0x%lx size 0x%lx pages %lu mapped %lu\n",
			   ranges[i].ua, ranges[i].size,
			   ranges[i].size >> PAGE_SHIFT, ranges[i].entries);
	}
	kvfree(ranges);
	return 0;
}

/*
 * debugfs "state": the container as one "key: value" line each, windows
 * and regions a line apiece. Under the container lock: a consistent view,
 * and the container cannot go meanwhile (release removes the file first,
 * which waits for readers).
 */
static int tce_state_show(struct seq_file *s, void *unused)
{
	struct tce_container *container = s->private;
	unsigned long tables = 0, registered, pins = 0;
	struct tce_group *tg;
	int i, ret;

	guard(mutex)(&container->lock);
	seq_printf(s, "container: %llu\ntype: %s\n", container->id,
		   container->v2 ? "v2" : "v1");
	if (container->mm) {
		seq_printf(s, "owner: %d ", container->owner_pid);
		/* The name is the owner's to choose: no line of its own */
		seq_escape_str(s, container->owner_comm,
			       ESCAPE_SPACE | ESCAPE_SPECIAL, "\n\\");
		seq_putc(s, '\n');
	} else {
		seq_puts(s, "owner: none\n");
	}
	seq_printf(s, "enabled: %d\ngroups:", container->enabled);
	list_for_each_entry(tg, &container->groups, node)
		seq_printf(s, " %d", iommu_group_id(tg->grp));
	seq_putc(s, '\n');
	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (!container->windows[i].tbl)
			continue;
		tce_show_window(s, container, i, &pins);
		tables += container->windows[i].charged;
	}
	ret = tce_show_regions(s, container, &registered);
	if (!ret) {
		/* A region's pages are all pinned while it is registered */
		seq_printf(s, "pinned: %lu pages\n", pins + registered);
		seq_printf(s, "locked_vm: %lu pages: enable %lu tables %lu registered %lu\n",
			   container->locked_pages + tables + registered,
			   container->locked_pages, tables, registered);
	}
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(tce_state);

/* The container's debugfs directory, named by its id; none without debugfs */
static void tce_debugfs_add(struct tce_container *container)
{
	char name[24];

	snprintf(name, sizeof(name), "%llu", container->id);
	container->debugfs = debugfs_create_dir(name, tce_debugfs_root);
	debugfs_create_file("state", 0400, container->debugfs, container,
			    &tce_state_fops);
}

static void *tce_iommu_open(unsigned long arg)
{
	struct tce_container *container;

	if (arg != VFIO_SPAPR_TCE_IOMMU && arg != VFIO_SPAPR_TCE_v2_IOMMU)
		return ERR_PTR(-EINVAL);

	container = kzalloc(sizeof(*container), GFP_KERNEL);
	if (!container)
		return ERR_PTR(-ENOMEM);

	mutex_init(&container->lock);
	INIT_LIST_HEAD(&container->groups);
	INIT_LIST_HEAD(&container->preregs);
	container->v2 = arg == VFIO_SPAPR_TCE_v2_IOMMU;
	container->id = atomic64_inc_return(&tce_container_ids);
	/* Last: from here on a reader can find the container */
	tce_debugfs_add(container);
	return container;
}

/*
 * Take the windows back from @tg's group, their TCEs cleared first, and
 * forget the group; with the last group go the windows and, v1, the
 * ENABLE charge.
 */
static void tce_detach_locked(struct tce_container *container,
			      struct tce_group *tg)
{
	int i;

	lockdep_assert_held(&container->lock);
	if (container->enabled && list_is_singular(&container->groups))
		tce_disable(container);

	tce_container_clear_windows(container);
	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (container->windows[i].tbl)
			tce_window_unset(tg->table_group, i);

	list_del(&tg->node);
	kfree(tg);

	if (list_empty(&container->groups))
		tce_container_free_windows(container);
}

static void tce_iommu_release(void *iommu_data)
{
	struct tce_container *container = iommu_data;
	struct tce_group *tg;

	/* First: waits for the readers of its state */
	debugfs_remove(container->debugfs);

	scoped_guard(mutex, &container->lock) {
		tce_disable(container);
		while ((tg = tce_first_group(container)))
			tce_detach_locked(container, tg);
		tce_container_free_windows(container);
		tce_preregs_drop(container);
	}

	if (container->mm)
		mmdrop(container->mm);
	mutex_destroy(&container->lock);
	kfree(container);
}

static int tce_attach_check(struct tce_container *container,
			    struct iommu_group *grp,
			    struct iommu_table_group *table_group)
{
	struct tce_group *first = tce_first_group(container);

	lockdep_assert_held(&container->lock);
	if (container->v2 && !table_group->max_dynamic_windows_supported)
		return -EINVAL;
	if (tce_find_group(container, grp))
		return -EBUSY;
	if (!first)
		return 0;
	/* v1 programs its tables for one group only */
	if (!container->v2)
		return -EBUSY;
	/* Windows are shared by all groups: their platforms must agree */
	if (first->table_group->ops != table_group->ops)
		return -EPERM;
	return 0;
}

/* Attach @tg: every window of the container is set on its group first */
static int tce_attach_locked(struct tce_container *container,
			     struct tce_group *tg)
{
	int ret;

	lockdep_assert_held(&container->lock);
	ret = tce_attach_check(container, tg->grp, tg->table_group);
	if (ret)
		return ret;
	ret = tce_container_set_windows(container, tg->table_group);
	if (ret)
		return ret;

	/* The first group: the default window is made when first needed */
	if (list_empty(&container->groups) && !container->windows[0].tbl)
		container->def_window_pending = true;
	list_add_tail(&tg->node, &container->groups);
	return 0;
}

static int tce_iommu_attach_group(void *iommu_data, struct iommu_group *grp,
				  enum vfio_group_type type)
{
	struct tce_container *container = iommu_data;
	struct iommu_table_group *table_group;
	struct tce_group *tg;
	int ret;

	if (type == VFIO_EMULATED_IOMMU)
		return -EINVAL;

	table_group = iommu_group_get_iommudata(grp);
	if (!table_group)
		return -ENODEV;

	tg = kzalloc(sizeof(*tg), GFP_KERNEL);
	if (!tg)
		return -ENOMEM;
	tg->grp = grp;
	tg->table_group = table_group;

	scoped_guard(mutex, &container->lock)
		ret = tce_attach_locked(container, tg);
	if (ret) {
		kfree(tg);
		return ret;
	}
	/*
	 * The VFIO core falls back to another backend silently when one's
	 * attach fails: say which one serves (the first attach, and each
	 * one with dynamic debug)
	 */
	pr_info_once("serving sPAPR TCE containers, first iommu group %d (%s)\n",
		     iommu_group_id(grp), container->v2 ? "v2" : "v1");
	pr_debug("iommu group %d attached to a %s container\n",
		 iommu_group_id(grp), container->v2 ? "v2" : "v1");
	return 0;
}

static void tce_iommu_detach_group(void *iommu_data, struct iommu_group *grp)
{
	struct tce_container *container = iommu_data;
	struct tce_group *tg;

	guard(mutex)(&container->lock);
	tg = tce_find_group(container, grp);
	if (!WARN_ON(!tg))
		tce_detach_locked(container, tg);
}

static long tce_check_extension(unsigned long arg)
{
	switch (arg) {
	case VFIO_SPAPR_TCE_IOMMU:
	case VFIO_SPAPR_TCE_v2_IOMMU:
		return 1;
	case VFIO_EEH:
		return eeh_enabled();
	default:
		return 0;
	}
}

/**
 * struct tce_arg_hdr - how every argument of these ioctls starts
 * @argsz: the size userspace says the structure has
 * @flags: its flags
 */
struct tce_arg_hdr {
	u32 argsz;
	u32 flags;
};

/*
 * Copy in the first @minsz bytes of an ioctl argument: -EFAULT, or -EINVAL
 * if its argsz is below @minsz or, with @no_flags, a flag is set.
 */
static long tce_copy_arg(void *dst, void __user *arg, unsigned long minsz,
			 bool no_flags)
{
	struct tce_arg_hdr *hdr = dst;

	if (copy_from_user(dst, arg, minsz))
		return -EFAULT;
	if (hdr->argsz < minsz || (no_flags && hdr->flags))
		return -EINVAL;
	return 0;
}

static long tce_get_info_locked(struct tce_container *container,
				struct vfio_iommu_spapr_tce_info *info)
{
	struct iommu_table_group *table_group;
	struct tce_group *first;
	long ret;

	lockdep_assert_held(&container->lock);
	ret = tce_mm_check(container, false);
	if (ret)
		return ret;
	first = tce_first_group(container);
	if (!first)
		return -ENXIO;
	table_group = first->table_group;

	info->flags = 0;
	info->dma32_window_start = table_group->tce32_start;
	info->dma32_window_size = table_group->tce32_size;
	memset(&info->ddw, 0, sizeof(info->ddw));
	if (container->v2 && table_group->max_dynamic_windows_supported) {
		info->flags |= VFIO_IOMMU_SPAPR_INFO_DDW;
		info->ddw.pgsizes = table_group->pgsizes;
		info->ddw.max_dynamic_windows_supported =
			table_group->max_dynamic_windows_supported;
		info->ddw.levels = table_group->max_levels;
	}
	return 0;
}

static long tce_ioctl_get_info(struct tce_container *container,
			       void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_spapr_tce_info,
					  dma32_window_size);
	unsigned long ddwsz = offsetofend(struct vfio_iommu_spapr_tce_info, ddw);
	struct vfio_iommu_spapr_tce_info info;
	long ret;

	ret = tce_copy_arg(&info, arg, minsz, false);
	if (ret)
		return ret;

	scoped_guard(mutex, &container->lock)
		ret = tce_get_info_locked(container, &info);
	if (ret)
		return ret;

	/* Fill only what the caller's version of the structure has room for */
	if (info.argsz >= ddwsz)
		minsz = ddwsz;
	if (copy_to_user(arg, &info, minsz))
		return -EFAULT;
	return 0;
}

/*
 * The window for [iova, iova + size): the one that holds iova, with both
 * aligned to its IOMMU page size and the end inside it.
 *
 * Return: 0 and the window in *@winp; -ENXIO if no window holds iova;
 * -EINVAL if the range is not aligned or not inside it.
 */
static long tce_container_window(struct tce_container *container, u64 iova,
				 u64 size, struct tce_window **winp)
{
	struct iommu_table *tbl;
	u64 entry, last;
	int i;

	lockdep_assert_held(&container->lock);
	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		tbl = container->windows[i].tbl;
		if (!tbl)
			continue;
		entry = iova >> tbl->it_page_shift;
		if (entry >= tbl->it_offset &&
		    entry - tbl->it_offset < tbl->it_size)
			break;
	}
	if (i == IOMMU_TABLE_GROUP_MAX_TABLES)
		return -ENXIO;

	if (((iova | size) & (IOMMU_PAGE_SIZE(tbl) - 1)) ||
	    check_add_overflow(iova >> tbl->it_page_shift,
			       size >> tbl->it_page_shift, &last) ||
	    last > tbl->it_offset + tbl->it_size)
		return -EINVAL;
	*winp = &container->windows[i];
	return 0;
}

static long tce_map_locked(struct tce_container *container,
			   struct vfio_iommu_type1_dma_map *param)
{
	enum dma_data_direction dir;
	struct tce_window *win;
	unsigned int shift;
	u64 end;
	long ret;

	lockdep_assert_held(&container->lock);
	ret = tce_mm_check(container, false);
	if (ret)
		return ret;
	if (!container->enabled)
		return -EPERM;

	switch (param->flags) {
	case VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE:
		dir = DMA_BIDIRECTIONAL;
		break;
	case VFIO_DMA_MAP_FLAG_READ:
		dir = DMA_TO_DEVICE;
		break;
	case VFIO_DMA_MAP_FLAG_WRITE:
		dir = DMA_FROM_DEVICE;
		break;
	default:
		return -EINVAL;
	}

	ret = tce_container_default_window(container);
	if (ret)
		return ret;
	ret = tce_container_window(container, param->iova, param->size, &win);
	if (ret)
		return ret;
	shift = win->tbl->it_page_shift;
	if ((param->vaddr & (IOMMU_PAGE_SIZE(win->tbl) - 1)) ||
	    check_add_overflow(param->vaddr, param->size, &end))
		return -EINVAL;
	/* A v2 entry's user address 0 means "empty" in the userspace view */
	if (container->v2 && !param->vaddr)
		return -EINVAL;
	if (!param->size)
		return 0;

	return tce_window_map(container->mm, &container->preregs, win,
			      param->iova >> shift, param->size >> shift,
			      param->vaddr, dir);
}

static long tce_ioctl_map(struct tce_container *container, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map param;
	long ret;
	u64 t0;

	/* A hint for the errno's order; the lock makes it true */
	if (!READ_ONCE(container->enabled))
		return -EPERM;
	ret = tce_copy_arg(&param, arg, minsz, false);
	if (ret)
		return ret;

	t0 = tce_trace_clock(trace_spapr_tce_map_enabled());
	scoped_guard(mutex, &container->lock)
		ret = tce_map_locked(container, &param);
	trace_spapr_tce_map(container->id, param.iova, param.size, ret,
			    tce_trace_ns(t0));
	return ret;
}

static long tce_unmap_locked(struct tce_container *container,
			     struct vfio_iommu_type1_dma_unmap *param)
{
	struct tce_window *win;
	unsigned int shift;
	long ret;

	lockdep_assert_held(&container->lock);
	ret = tce_mm_check(container, false);
	if (ret)
		return ret;
	if (!container->enabled)
		return -EPERM;

	ret = tce_container_default_window(container);
	if (ret)
		return ret;
	ret = tce_container_window(container, param->iova, param->size, &win);
	if (ret)
		return ret;

	/* Entries that map nothing are skipped: unmapping a hole is fine */
	shift = win->tbl->it_page_shift;
	tce_window_clear(container->mm, win, param->iova >> shift,
			 param->size >> shift);
	return 0;
}

static long tce_ioctl_unmap(struct tce_container *container, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_type1_dma_unmap,
					  size);
	struct vfio_iommu_type1_dma_unmap param;
	long ret;
	u64 t0;

	/* A hint for the errno's order; the lock makes it true */
	if (!READ_ONCE(container->enabled))
		return -EPERM;
	ret = tce_copy_arg(&param, arg, minsz, true);
	if (ret)
		return ret;

	t0 = tce_trace_clock(trace_spapr_tce_unmap_enabled());
	scoped_guard(mutex, &container->lock)
		ret = tce_unmap_locked(container, &param);
	trace_spapr_tce_unmap(container->id, param.iova, param.size, ret,
			      tce_trace_ns(t0));
	return ret;
}

/* Copy in a REGISTER/UNREGISTER_MEMORY argument and check it */
static long tce_get_region(void __user *arg,
			   struct vfio_iommu_spapr_register_memory *param)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_spapr_register_memory,
					  size);
	u64 end;
	long ret;

	ret = tce_copy_arg(param, arg, minsz, true);
	if (ret)
		return ret;
	if (!param->size || !PAGE_ALIGNED(param->vaddr) ||
	    !PAGE_ALIGNED(param->size) ||
	    check_add_overflow(param->vaddr, param->size, &end))
		return -EINVAL;
	return 0;
}

static long tce_register_locked(struct tce_container *container,
				u64 vaddr, u64 size)
{
	unsigned long entries = size >> PAGE_SHIFT;
	struct mm_iommu_table_group_mem_t *mem;
	struct tce_prereg *p;
	long ret;

	lockdep_assert_held(&container->lock);
	ret = tce_mm_check(container, true);
	if (ret)
		return ret;

	mem = mm_iommu_get(container->mm, vaddr, entries);
	if (mem) {
		/* Registered already: by us is an error, by another is shared */
		if (tce_prereg_find(container, mem)) {
			mm_iommu_put(container->mm, mem);
			return -EBUSY;
		}
	} else {
		ret = mm_iommu_new(container->mm, vaddr, entries, &mem);
		/*
		 * A partial pin comes back as its page count: mm_iommu_new()
		 * has undone it (nothing pinned or charged), report it as the
		 * failure it is
		 */
		if (ret > 0)
			ret = -EFAULT;
		if (ret)
			return ret;
	}

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		mm_iommu_put(container->mm, mem);
		return -ENOMEM;
	}
	p->mem = mem;
	p->ua = vaddr;
	p->size = size;
	list_add(&p->node, &container->preregs);
	/* v2 has no ENABLE: a registration is what enables mapping */
	WRITE_ONCE(container->enabled, true);
	return 0;
}

static long tce_ioctl_register(struct tce_container *container,
			       void __user *arg)
{
	struct vfio_iommu_spapr_register_memory param;
	long ret;
	u64 t0;

	ret = tce_get_region(arg, &param);
	if (ret)
		return ret;

	t0 = tce_trace_clock(trace_spapr_tce_register_enabled());
	scoped_guard(mutex, &container->lock)
		ret = tce_register_locked(container, param.vaddr, param.size);
	trace_spapr_tce_register(container->id, param.vaddr, param.size, ret,
				 tce_trace_ns(t0));
	return ret;
}

static long tce_unregister_locked(struct tce_container *container,
				  u64 vaddr, u64 size)
{
	struct tce_user_range range = { .ua = vaddr, .size = size };
	struct mm_iommu_table_group_mem_t *mem;
	struct tce_prereg *p;
	long ret;

	lockdep_assert_held(&container->lock);
	ret = tce_mm_check(container, false);
	if (ret)
		return ret;
	/* Nothing was registered through a container not bound yet */
	if (!container->mm)
		return -EPERM;

	mem = mm_iommu_get(container->mm, vaddr, size >> PAGE_SHIFT);
	if (!mem)
		return -ENOENT;
	p = tce_prereg_find(container, mem);
	/* Drop the lookup's use first, so that ours can be the last */
	mm_iommu_put(container->mm, mem);
	if (!p)
		return -ENOENT;
	/*
	 * The region may be another container's too: then mm_iommu_put()
	 * would not see that our TCEs still map it
	 */
	tce_container_count_user(container, &range, 1);
	if (range.entries)
		return -EBUSY;

	return tce_prereg_put(container, p);
}

static long tce_ioctl_unregister(struct tce_container *container,
				 void __user *arg)
{
	struct vfio_iommu_spapr_register_memory param;
	long ret;
	u64 t0;

	ret = tce_get_region(arg, &param);
	if (ret)
		return ret;

	t0 = tce_trace_clock(trace_spapr_tce_unregister_enabled());
	scoped_guard(mutex, &container->lock)
		ret = tce_unregister_locked(container, param.vaddr, param.size);
	trace_spapr_tce_unregister(container->id, param.vaddr, param.size,
				   ret, tce_trace_ns(t0));
	return ret;
}

static int tce_container_window_count(struct tce_container *container)
{
	int i, n = 0;

	lockdep_assert_held(&container->lock);
	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		n += !!container->windows[i].tbl;
	return n;
}

/* TCE_CREATE and TCE_REMOVE bind the container and need a group */
static long tce_ioctl_window_check(struct tce_container *container)
{
	long ret = tce_mm_check(container, true);

	if (ret)
		return ret;
	return list_empty(&container->groups) ? -ENXIO : 0;
}

/*
 * The levels a new window's table is made with. Where the platform's tables
 * have one level only (pseries: the table is the hypervisor's, written by
 * H_PUT_TCE, and the kernel keeps a flat userspace view of it), any request
 * gets that level: the number asked has no meaning there, and QEMU asks it
 * by the host's page size (two for its 1 GiB default window of 4K pages on
 * a 4K-page host). Elsewhere the levels asked are the table's shape in
 * kernel memory and must be ones the platform has.
 */
static u32 tce_create_levels(const struct iommu_table_group *table_group,
			     u32 levels)
{
	if (levels && table_group->max_levels == 1)
		return 1;
	return levels;
}

static long tce_create_locked(struct tce_container *container,
			      struct vfio_iommu_spapr_tce_create *create,
			      int *nump)
{
	struct iommu_table_group *table_group;
	struct tce_group *first;
	u32 levels;
	int num;
	long ret;

	lockdep_assert_held(&container->lock);
	ret = tce_ioctl_window_check(container);
	if (ret)
		return ret;
	ret = tce_container_default_window(container);
	if (ret)
		return ret;

	first = tce_first_group(container);
	table_group = first->table_group;

	levels = tce_create_levels(table_group, create->levels);
	if (create->page_shift >= BITS_PER_LONG ||
	    !(table_group->pgsizes & BIT_ULL(create->page_shift)) ||
	    !levels || levels > table_group->max_levels ||
	    !is_power_of_2(create->window_size) ||
	    create->window_size < BIT_ULL(create->page_shift))
		return -EINVAL;

	if (tce_container_window_count(container) >=
	    table_group->max_dynamic_windows_supported)
		return -ENOSPC;
	for (num = 0; num < IOMMU_TABLE_GROUP_MAX_TABLES; num++)
		if (!container->windows[num].tbl)
			break;
	if (num == IOMMU_TABLE_GROUP_MAX_TABLES)
		return -ENOSPC;

	ret = tce_container_add_window(container, num, create->page_shift,
				       create->window_size, levels);
	if (ret)
		return ret;

	create->start_addr = container->windows[num].tbl->it_offset <<
			     container->windows[num].tbl->it_page_shift;
	*nump = num;
	return 0;
}

/* Clear window @num, take it back from every group and free it */
static void tce_container_remove_window(struct tce_container *container,
					int num)
{
	struct tce_window *win = &container->windows[num];
	struct tce_group *tg;

	lockdep_assert_held(&container->lock);
	tce_window_clear_all(container->mm, win);
	list_for_each_entry(tg, &container->groups, node)
		tce_window_unset(tg->table_group, num);
	tce_window_free(container->mm, win);
}

static long tce_remove_locked(struct tce_container *container, u64 start)
{
	long ret;
	int num;

	lockdep_assert_held(&container->lock);
	ret = tce_ioctl_window_check(container);
	if (ret)
		return ret;

	/* The default window was never made: removing it just cancels it */
	if (container->def_window_pending && !start) {
		container->def_window_pending = false;
		return 0;
	}

	for (num = 0; num < IOMMU_TABLE_GROUP_MAX_TABLES; num++) {
		struct iommu_table *tbl = container->windows[num].tbl;

		if (tbl && (tbl->it_offset << tbl->it_page_shift) == start) {
			tce_container_remove_window(container, num);
			return 0;
		}
	}
	return -EINVAL;
}

static long tce_ioctl_create(struct tce_container *container,
			     void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_spapr_tce_create,
					  start_addr);
	struct vfio_iommu_spapr_tce_create create;
	long ret;
	int num;
	u64 t0;

	ret = tce_copy_arg(&create, arg, minsz, true);
	if (ret)
		return ret;

	t0 = tce_trace_clock(trace_spapr_tce_create_enabled());
	scoped_guard(mutex, &container->lock) {
		ret = tce_create_locked(container, &create, &num);
		/*
		 * This copy is how the caller learns where the window is: if
		 * it faults, the window goes again. Under the lock, so that
		 * no other thread has mapped into it or replaced it meanwhile
		 * (the container lock comes before mmap_lock, as when
		 * pinning).
		 */
		if (!ret && copy_to_user(arg, &create, minsz)) {
			tce_container_remove_window(container, num);
			ret = -EFAULT;
		}
	}
	trace_spapr_tce_create(container->id, ret ? 0 : create.start_addr,
			       create.window_size, create.page_shift,
			       create.levels, ret, tce_trace_ns(t0));
	return ret;
}

static long tce_ioctl_remove(struct tce_container *container,
			     void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_spapr_tce_remove,
					  start_addr);
	struct vfio_iommu_spapr_tce_remove remove;
	long ret;
	u64 t0;

	ret = tce_copy_arg(&remove, arg, minsz, true);
	if (ret)
		return ret;

	t0 = tce_trace_clock(trace_spapr_tce_remove_enabled());
	scoped_guard(mutex, &container->lock)
		ret = tce_remove_locked(container, remove.start_addr);
	trace_spapr_tce_remove(container->id, remove.start_addr, ret,
			       tce_trace_ns(t0));
	return ret;
}

/* Copy in a VFIO_EEH_PE_OP argument: the error too, to inject one */
static long tce_get_eeh_op(void __user *arg, struct vfio_eeh_pe_op *op)
{
	unsigned long minsz = offsetofend(struct vfio_eeh_pe_op, op);
	long ret;

	ret = tce_copy_arg(op, arg, minsz, true);
	if (ret || op->op != VFIO_EEH_PE_INJECT_ERR)
		return ret;

	minsz = offsetofend(struct vfio_eeh_pe_op, err.mask);
	if (op->argsz < minsz)
		return -EINVAL;
	if (copy_from_user(op, arg, minsz))
		return -EFAULT;
	return 0;
}

/* One EEH operation on the PE of @grp */
static long tce_eeh_pe_op(struct iommu_group *grp,
			  const struct vfio_eeh_pe_op *op)
{
	struct eeh_pe *pe;

	pe = eeh_iommu_group_to_pe(grp);
	if (!pe)
		return -ENODEV;

	switch (op->op) {
	case VFIO_EEH_PE_DISABLE:
		return eeh_pe_set_option(pe, EEH_OPT_DISABLE);
	case VFIO_EEH_PE_ENABLE:
		return eeh_pe_set_option(pe, EEH_OPT_ENABLE);
	case VFIO_EEH_PE_UNFREEZE_IO:
		return eeh_pe_set_option(pe, EEH_OPT_THAW_MMIO);
	case VFIO_EEH_PE_UNFREEZE_DMA:
		return eeh_pe_set_option(pe, EEH_OPT_THAW_DMA);
	case VFIO_EEH_PE_GET_STATE:
		return eeh_pe_get_state(pe);
	case VFIO_EEH_PE_RESET_DEACTIVATE:
		return eeh_pe_reset(pe, EEH_RESET_DEACTIVATE, true);
	case VFIO_EEH_PE_RESET_HOT:
		return eeh_pe_reset(pe, EEH_RESET_HOT, true);
	case VFIO_EEH_PE_RESET_FUNDAMENTAL:
		return eeh_pe_reset(pe, EEH_RESET_FUNDAMENTAL, true);
	case VFIO_EEH_PE_CONFIGURE:
		return eeh_pe_configure(pe);
	case VFIO_EEH_PE_INJECT_ERR:
		return eeh_pe_inject_err(pe, op->err.type, op->err.func,
					 op->err.addr, op->err.mask);
	default:
		return -EINVAL;
	}
}

static long tce_ioctl_eeh_pe_op(struct tce_container *container,
				void __user *arg)
{
	struct vfio_eeh_pe_op op;
	struct tce_group *tg;
	long ret;

	ret = tce_get_eeh_op(arg, &op);
	if (ret)
		return ret;

	guard(mutex)(&container->lock);
	ret = tce_mm_check(container, false);
	if (ret)
		return ret;
	list_for_each_entry(tg, &container->groups, node) {
		ret = tce_eeh_pe_op(tg->grp, &op);
		if (ret)
			return ret;
	}
	return 0;
}

/* ENABLE and DISABLE (v1) */
static long tce_ioctl_enable(struct tce_container *container, bool enable)
{
	long ret;

	guard(mutex)(&container->lock);
	ret = tce_mm_check(container, false);
	if (ret)
		return ret;
	if (enable)
		return tce_enable(container);
	if (container->enabled) {
		tce_container_clear_windows(container);
		tce_disable(container);
	}
	return 0;
}

static long tce_iommu_ioctl(void *iommu_data, unsigned int cmd,
			    unsigned long arg)
{
	struct tce_container *container = iommu_data;
	void __user *uarg = (void __user *)arg;

	/* The VFIO core asks this with no container yet */
	if (cmd == VFIO_CHECK_EXTENSION)
		return tce_check_extension(arg);

	if (!container)
		return -EINVAL;

	/*
	 * Each handler copies its argument in, then takes the container lock
	 * and checks that the caller is of the container's mm
	 * (tce_mm_check()): one process must not drive another one's
	 * mappings.
	 */
	switch (cmd) {
	case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
		return tce_ioctl_get_info(container, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return tce_ioctl_map(container, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return tce_ioctl_unmap(container, uarg);
	case VFIO_EEH_PE_OP:
		return tce_ioctl_eeh_pe_op(container, uarg);
	}

	if (container->v2) {
		switch (cmd) {
		case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
			return tce_ioctl_register(container, uarg);
		case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
			return tce_ioctl_unregister(container, uarg);
		case VFIO_IOMMU_SPAPR_TCE_CREATE:
			return tce_ioctl_create(container, uarg);
		case VFIO_IOMMU_SPAPR_TCE_REMOVE:
			return tce_ioctl_remove(container, uarg);
		}
		return -ENOTTY;
	}

	switch (cmd) {
	case VFIO_IOMMU_ENABLE:
		return tce_ioctl_enable(container, true);
	case VFIO_IOMMU_DISABLE:
		return tce_ioctl_enable(container, false);
	}
	return -ENOTTY;
}

VISIBLE_IF_KUNIT const struct vfio_iommu_driver_ops tce_iommu_driver_ops = {
	.name		= "vfio-spapr-tce",
	.owner		= THIS_MODULE,
	.open		= tce_iommu_open,
	.release	= tce_iommu_release,
	.ioctl		= tce_iommu_ioctl,
	.attach_group	= tce_iommu_attach_group,
	.detach_group	= tce_iommu_detach_group,
};
EXPORT_SYMBOL_IF_KUNIT(tce_iommu_driver_ops);

static int __init tce_iommu_init(void)
{
	int ret;

	tce_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = vfio_register_iommu_driver(&tce_iommu_driver_ops);
	if (ret)
		debugfs_remove(tce_debugfs_root);
	return ret;
}

static void __exit tce_iommu_exit(void)
{
	vfio_unregister_iommu_driver(&tce_iommu_driver_ops);
	debugfs_remove(tce_debugfs_root);
}

module_init(tce_iommu_init);
module_exit(tce_iommu_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO IOMMU backend for sPAPR TCE tables");

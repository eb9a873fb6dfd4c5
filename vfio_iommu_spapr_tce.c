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

#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include <kunit/visibility.h>
#include <asm/iommu.h>

#include "vfio.h"
#include "vfio_spapr_tce.h"

static struct tce_group *tce_first_group(struct tce_container *container)
{
	return list_first_entry_or_null(&container->groups, struct tce_group,
					node);
}

static struct tce_group *tce_find_group(struct tce_container *container,
					struct iommu_group *grp)
{
	struct tce_group *tg;

	list_for_each_entry(tg, &container->groups, node)
		if (tg->grp == grp)
			return tg;
	return NULL;
}

/* Bind the container to the caller's mm, or check it is already that one */
static long tce_mm_bind(struct tce_container *container)
{
	if (container->mm)
		return container->mm == current->mm ? 0 : -EPERM;
	if (!current->mm)
		return -EPERM;

	mmgrab(current->mm);
	container->mm = current->mm;
	return 0;
}

/* Take every window of the container into @table_group; all or nothing */
static long tce_windows_take(struct tce_container *container,
			     struct iommu_table_group *table_group)
{
	long ret;
	int i;

	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (!container->tables[i])
			continue;
		ret = tce_window_take(table_group, i, container->tables[i]);
		if (ret)
			goto undo;
	}
	return 0;

undo:
	while (--i >= 0)
		if (container->tables[i])
			table_group->ops->unset_window(table_group, i);
	return ret;
}

/* Create window @num and program it into every attached group */
static long tce_window_add(struct tce_container *container, int num,
			   u32 page_shift, u64 window_size, u32 levels)
{
	struct tce_group *first = tce_first_group(container), *tg;
	struct iommu_table *tbl;
	long ret;

	if (!first)
		return -ENODEV;

	ret = tce_window_create(container->mm, first->table_group, num,
				page_shift, window_size, levels, &tbl);
	if (ret)
		return ret;

	list_for_each_entry(tg, &container->groups, node) {
		ret = tce_window_take(tg->table_group, num, tbl);
		if (ret)
			goto undo;
	}
	container->tables[num] = tbl;
	return 0;

undo:
	list_for_each_entry_continue_reverse(tg, &container->groups, node)
		tg->table_group->ops->unset_window(tg->table_group, num);
	tce_window_destroy(container->mm, tbl);
	return ret;
}

/* Create the default 32-bit window if it is still pending */
static long tce_default_window(struct tce_container *container)
{
	struct tce_group *first = tce_first_group(container);
	long ret;

	if (!container->def_window_pending)
		return 0;
	if (!first)
		return -ENODEV;

	ret = tce_window_add(container, 0, IOMMU_PAGE_SHIFT_4K,
			     first->table_group->tce32_size, 1);
	if (!ret)
		container->def_window_pending = false;
	return ret;
}

static long tce_enable(struct tce_container *container)
{
	struct tce_group *first = tce_first_group(container);
	unsigned long pages;
	long ret;

	if (container->enabled)
		return -EBUSY;
	if (!first)
		return -ENODEV;
	if (!first->table_group->tce32_size)
		return -EPERM;

	ret = tce_mm_bind(container);
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
	container->enabled = true;
	return 0;
}

static void tce_disable(struct tce_container *container)
{
	if (!container->enabled)
		return;

	account_locked_vm(container->mm, container->locked_pages, false);
	container->locked_pages = 0;
	container->enabled = false;
}

static void tce_windows_destroy(struct tce_container *container)
{
	int i;

	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++) {
		if (!container->tables[i])
			continue;
		tce_window_destroy(container->mm, container->tables[i]);
		container->tables[i] = NULL;
	}
	container->def_window_pending = false;
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
	container->v2 = arg == VFIO_SPAPR_TCE_v2_IOMMU;
	return container;
}

static void tce_detach_locked(struct tce_container *container,
			      struct tce_group *tg)
{
	int i;

	if (container->enabled && list_is_singular(&container->groups))
		tce_disable(container);

	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (container->tables[i])
			tce_window_put(container->mm, tg->table_group, i,
				       container->tables[i]);

	list_del(&tg->node);
	kfree(tg);

	if (list_empty(&container->groups))
		tce_windows_destroy(container);
}

static void tce_iommu_release(void *iommu_data)
{
	struct tce_container *container = iommu_data;
	struct tce_group *tg;

	mutex_lock(&container->lock);
	tce_disable(container);
	while ((tg = tce_first_group(container)))
		tce_detach_locked(container, tg);
	tce_windows_destroy(container);
	mutex_unlock(&container->lock);

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

	mutex_lock(&container->lock);
	ret = tce_attach_check(container, grp, table_group);
	if (!ret)
		ret = tce_windows_take(container, table_group);
	if (ret) {
		mutex_unlock(&container->lock);
		kfree(tg);
		return ret;
	}

	if (list_empty(&container->groups) && !container->tables[0])
		container->def_window_pending = true;
	list_add_tail(&tg->node, &container->groups);
	mutex_unlock(&container->lock);
	return 0;
}

static void tce_iommu_detach_group(void *iommu_data, struct iommu_group *grp)
{
	struct tce_container *container = iommu_data;
	struct tce_group *tg;

	mutex_lock(&container->lock);
	tg = tce_find_group(container, grp);
	if (!WARN_ON(!tg))
		tce_detach_locked(container, tg);
	mutex_unlock(&container->lock);
}

static long tce_check_extension(unsigned long arg)
{
	switch (arg) {
	case VFIO_SPAPR_TCE_IOMMU:
	case VFIO_SPAPR_TCE_v2_IOMMU:
		return 1;
	default:
		return 0;
	}
}

static long tce_iommu_ioctl(void *iommu_data, unsigned int cmd,
			    unsigned long arg)
{
	struct tce_container *container = iommu_data;
	long ret;

	/* The VFIO core asks this with no container yet */
	if (cmd == VFIO_CHECK_EXTENSION)
		return tce_check_extension(arg);

	if (!container)
		return -EINVAL;

	/* One process must not drive another one's mappings */
	if (container->mm && container->mm != current->mm)
		return -EPERM;

	switch (cmd) {
	case VFIO_IOMMU_ENABLE:
		if (container->v2)
			return -ENOTTY;
		mutex_lock(&container->lock);
		ret = tce_enable(container);
		mutex_unlock(&container->lock);
		return ret;
	case VFIO_IOMMU_DISABLE:
		if (container->v2)
			return -ENOTTY;
		mutex_lock(&container->lock);
		tce_disable(container);
		mutex_unlock(&container->lock);
		return 0;
	default:
		return -ENOTTY;
	}
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

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * tce_container_default_window() - create the pending default window now
 * @container: the container
 *
 * For the KUnit suites: what the map path does before it looks up a window.
 *
 * Return: 0 (also when nothing was pending), -ENODEV with no group, or the
 * error of creating or programming the window.
 */
long tce_container_default_window(struct tce_container *container)
{
	long ret;

	mutex_lock(&container->lock);
	ret = tce_default_window(container);
	mutex_unlock(&container->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(tce_container_default_window);
#endif

static int __init tce_iommu_init(void)
{
	return vfio_register_iommu_driver(&tce_iommu_driver_ops);
}

static void __exit tce_iommu_exit(void)
{
	vfio_unregister_iommu_driver(&tce_iommu_driver_ops);
}

module_init(tce_iommu_init);
module_exit(tce_iommu_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO IOMMU backend for sPAPR TCE tables");

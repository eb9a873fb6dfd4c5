/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_spapr_tce: private declarations shared by the container code
 * (vfio_iommu_spapr_tce.c), the TCE table operations (iommu_tce.c) and the
 * KUnit suites in tests/.
 */
#ifndef VFIO_SPAPR_TCE_H
#define VFIO_SPAPR_TCE_H

#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <asm/iommu.h>

struct iommu_group;
struct mm_struct;
struct vfio_iommu_driver_ops;

/**
 * struct tce_group - one IOMMU group attached to a container
 * @node: entry in &tce_container.groups
 * @grp: the VFIO core's iommu_group
 * @table_group: the platform's table group of @grp, looked up at attach
 *
 * Allocated at attach, freed at detach; protected by &tce_container.lock.
 */
struct tce_group {
	struct list_head node;
	struct iommu_group *grp;
	struct iommu_table_group *table_group;
};

/**
 * struct tce_window - one DMA window a container owns
 * @tbl: the window's table, one reference held; NULL if there is no window
 * @held: v1 windows: per entry, what this backend wrote there, the host
 *	physical address ORed with its TCE_PCI_READ/TCE_PCI_WRITE bits and
 *	TCE_HELD_PIN, 0 if empty. The entries of one system page share a
 *	pin through it, and on tables written through the hypervisor (see
 *	tce_table_hv()) map and unmap write and clear runs of entries
 *	without reading each one back (see iommu_tce.c). NULL for v2
 *	windows: a window is v1 exactly when it has one.
 * @charged: pages charged to the container's locked_vm for the table
 *
 * Protected by &tce_container.lock, like the table's entries: only this
 * backend writes a v1 window (KVM's in-kernel TCE handlers take only
 * pre-registered memory, that is v2).
 */
struct tce_window {
	struct iommu_table *tbl;
	u64 *held;
	unsigned long charged;
};

/**
 * struct tce_prereg - a pre-registered region a v2 container registered
 * @node: entry in &tce_container.preregs
 * @mem: the mm's region; the container holds one use of it
 * @ua: its user address, as registered
 * @size: its size in bytes
 *
 * Protected by &tce_container.lock. A container maps only through the
 * regions it registered.
 */
struct tce_prereg {
	struct list_head node;
	struct mm_iommu_table_group_mem_t *mem;
	u64 ua;
	u64 size;
};

/**
 * struct tce_container - the IOMMU state behind one /dev/vfio/vfio fd
 * @id: the container's number, its debugfs directory's name and its
 *	trace events' "container"; fixed at open, read without @lock
 * @debugfs: its debugfs directory; fixed at open, removed at release
 *	before @lock is taken
 * @v2: opened as VFIO_SPAPR_TCE_v2_IOMMU; fixed at open, read without
 *	@lock
 * @lock: serialises every operation on the container; protects the
 *	fields below it, with the exceptions each names. Lock order: @lock,
 *	then the mm's mmap_lock (taken by account_locked_vm() and the
 *	pinning calls). Never taken with the mmap_lock held. A debugfs
 *	reader takes it inside the seq_file's own lock. The functions that
 *	need it held assert it (lockdep_assert_held()).
 * @owner_pid: the thread group id (in the initial pid namespace) of the
 *	process that bound @mm, 0 until then; a number, not a reference
 * @owner_comm: the name of the thread that bound it, then
 * @enabled: mapping is allowed: v1, VFIO_IOMMU_ENABLE succeeded and
 *	DISABLE has not run since; v2, memory was registered once.
 *	Written under @lock with WRITE_ONCE(); MAP and UNMAP read it once
 *	without @lock, only to order their errnos as upstream does, and
 *	check it again under @lock
 * @def_window_pending: the default 32-bit window still has to be created
 *	the first time a window is needed
 * @locked_pages: pages charged to @mm's locked_vm by ENABLE
 * @mm: the mm this container is bound to (by ENABLE, or by the first
 *	v2 ioctl that needs one), held by mmgrab() until release; NULL
 *	until then. Bound and compared with the caller's under @lock, in
 *	the same critical section as the operation that uses it
 *	(tce_mm_check()), so that two callers cannot both bind it and a
 *	caller of another mm cannot act between the check and the use.
 *	Release reads it after the last unlock, when nobody else can.
 * @windows: the DMA windows this container created and owns, by window
 *	number
 * @groups: list of &struct tce_group, in attach order
 * @preregs: v2: the pre-registered regions this container registered,
 *	a list of &struct tce_prereg; each holds one use of its region
 */
struct tce_container {
	u64 id;
	struct dentry *debugfs;
	bool v2;
	struct mutex lock;	/* protects the fields below */
	pid_t owner_pid;
	char owner_comm[TASK_COMM_LEN];
	bool enabled;
	bool def_window_pending;
	unsigned long locked_pages;
	struct mm_struct *mm;
	struct tce_window windows[IOMMU_TABLE_GROUP_MAX_TABLES];
	struct list_head groups;
	struct list_head preregs;
};

/**
 * struct tce_user_range - a user address range, for counting the entries
 *	that map into it (see tce_window_count_user())
 * @ua: its start
 * @size: its size in bytes
 * @entries: entries found mapping an IOMMU page in it
 */
struct tce_user_range {
	unsigned long ua;
	unsigned long size;
	unsigned long entries;
};

/* iommu_tce.c: one DMA window: its table, programming, TCEs, pages */

long tce_window_alloc(struct mm_struct *mm,
		      struct iommu_table_group *table_group, int num,
		      u32 page_shift, u64 window_size, u32 levels, bool v2,
		      struct tce_window *win);
void tce_window_free(struct mm_struct *mm, struct tce_window *win);
long tce_window_set(struct iommu_table_group *table_group, int num,
		    const struct tce_window *win);
void tce_window_unset(struct iommu_table_group *table_group, int num);
long tce_window_map(struct mm_struct *mm, const struct list_head *preregs,
		    struct tce_window *win, unsigned long entry,
		    unsigned long pages, unsigned long ua,
		    enum dma_data_direction dir);
void tce_window_clear(struct mm_struct *mm, struct tce_window *win,
		      unsigned long entry, unsigned long pages);
void tce_window_clear_all(struct mm_struct *mm, struct tce_window *win);
void tce_window_count_user(const struct tce_window *win,
			   struct tce_user_range *ranges, unsigned int n);
unsigned long tce_window_held_entries(const struct tce_window *win,
				      unsigned long *pins);

#if IS_ENABLED(CONFIG_KUNIT)
/* The driver's own functions the KUnit suites in tests/ call */
extern const struct vfio_iommu_driver_ops tce_iommu_driver_ops;
long tce_container_default_window(struct tce_container *container);
#endif

#endif /* VFIO_SPAPR_TCE_H */

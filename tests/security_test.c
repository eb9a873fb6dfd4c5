// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: what a hostile caller of the ioctls must not get. Each case is
 * one way a process could make the device reach memory it does not own,
 * keep memory pinned uncharged, or act on a container bound to another
 * process; the fake tables check every TCE written and cleared on top.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/vfio.h>

#include "fake_tce.h"
#include "tce_call.h"
#include "test_proc.h"

FAKE_TCE_PLATFORM_PARAMS();

#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)
#define REG	VFIO_IOMMU_SPAPR_REGISTER_MEMORY
#define UNREG	VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY

/* A v2 container with one group, on the kind of table the case names */
static struct tce_container *sec_v2(struct kunit *test,
				    struct fake_tce_group **fgp)
{
	struct fake_tce_opts opts = fake_tce_ddw_opts;
	struct fake_tce_group *fg;
	struct tce_container *c;

	opts.hv = fake_tce_param_hv(test);
	fg = fake_tce_group_new(test, &opts);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	if (fgp)
		*fgp = fg;
	return c;
}

/* An enabled v1 container with one group, on the kind of table named */
static struct tce_container *sec_v1(struct kunit *test,
				    struct fake_tce_group **fgp)
{
	struct fake_tce_opts opts = { .tce32_size = FAKE_TCE32_SIZE,
				      .hv = fake_tce_param_hv(test) };
	struct tce_container *c;

	*fgp = fake_tce_group_new(test, &opts);
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, (*fgp)->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	return c;
}

/*
 * A region that starts with a huge page and goes on with small pages
 * says the huge page's size for all of them: an IOMMU page of that size
 * over the small pages would reach memory nobody pinned. -EPERM, as
 * upstream; over the huge page itself it maps.
 */
static void v2_map_mixed_page_sizes(struct kunit *test)
{
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long ua, size, start_vm;
	struct iommu_table *tbl;
	unsigned int shift;
	u64 start;

	ua = test_proc_huge_mem(test, &shift);
	size = 1UL << shift;
	test_proc_set_memlock(test, 1UL << 30);
	start_vm = test_proc_locked_vm();
	c = sec_v2(test, &fg);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, c, REG, ua, 2 * size));
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, c, shift, SZ_1G, 1, &start));
	tbl = fg->table_group.tables[1];
	KUNIT_ASSERT_NOT_NULL(test, tbl);

	KUNIT_EXPECT_EQ(test, -EPERM,
			tce_call_map(test, c, ua + size, start, size, RW));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(tbl));
	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, c, ua, start, size,
					      RW));
	KUNIT_EXPECT_EQ(test, 1, fake_tce_live(tbl));

	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, c, start, size));
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, c, UNREG, ua,
						 2 * size));
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start_vm, test_proc_locked_vm());
}

/*
 * A v2 container whose default window is removed, in a process without
 * CAP_IPC_LOCK whose RLIMIT_MEMLOCK is 0: a new window would take number
 * 0. Its locked_vm before the container is in @start_vm, if not NULL.
 */
static struct tce_container *sec_v2_no_memlock(struct kunit *test,
					       struct fake_tce_group **fgp,
					       unsigned long *start_vm)
{
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, 0);
	if (start_vm)
		*start_vm = test_proc_locked_vm();
	c = sec_v2(test, fgp);
	test_proc_set_ipc_lock(test, false);
	KUNIT_ASSERT_EQ(test, 0, tce_call_remove(test, c, 0));
	return c;
}

/*
 * A TCE_CREATE over RLIMIT_MEMLOCK leaves no window behind, even where
 * creating the table created the window (the hv fake, like pseries): it
 * is charged before it is created.
 */
static void create_over_memlock_leaves_nothing(struct kunit *test)
{
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long start_vm;

	c = sec_v2_no_memlock(test, &fg, &start_vm);

	KUNIT_EXPECT_EQ(test, -ENOMEM,
			tce_call_create(test, c, 16, SZ_1G, 1, NULL));
	KUNIT_EXPECT_NULL(test, fg->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.create_table);
	KUNIT_EXPECT_EQ(test, start_vm, test_proc_locked_vm());
}

/* After that refusal, a TCE_CREATE under the limit gets its window */
static void create_after_memlock_refusal_succeeds(struct kunit *test)
{
	struct fake_tce_group *fg;
	struct tce_container *c;

	c = sec_v2_no_memlock(test, &fg, NULL);
	KUNIT_ASSERT_EQ(test, -ENOMEM,
			tce_call_create(test, c, 16, SZ_1G, 1, NULL));

	test_proc_set_memlock(test, 1UL << 30);
	KUNIT_EXPECT_EQ(test, 0, tce_call_create(test, c, 16, SZ_1G, 1, NULL));
	KUNIT_EXPECT_NOT_NULL(test, fg->table_group.tables[0]);
}

/* 4 MiB: 1024 TCEs of 4K, physically contiguous */
#define SEC_RUN_ORDER	(22 - PAGE_SHIFT)
#define SEC_RUN_SIZE	(PAGE_SIZE << SEC_RUN_ORDER)

/*
 * One set() call writes at most 512 entries, however long the physically
 * contiguous run: pseries keeps interrupts off across a call. v2 here,
 * v1 in hv_runs_capped_v1.
 */
static void hv_runs_capped_v2(struct kunit *test)
{
	struct fake_tce_opts opts = { .tce32_size = FAKE_TCE32_SIZE,
				      .ddw = true, .hv = true };
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long ua;

	ua = test_proc_contig_mem(test, SEC_RUN_ORDER);
	test_proc_set_memlock(test, 1UL << 30);
	fg = fake_tce_group_new(test, &opts);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, c, REG, ua,
						 SEC_RUN_SIZE));
	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, c, ua, 0, SEC_RUN_SIZE,
					      RW));
	KUNIT_EXPECT_EQ(test, SEC_RUN_SIZE / SZ_4K, fg->stats.set_entries);
	KUNIT_EXPECT_EQ(test, 512, fg->stats.set_max);
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, c, 0, SEC_RUN_SIZE));
}

static void hv_runs_capped_v1(struct kunit *test)
{
	struct fake_tce_opts opts = { .tce32_size = FAKE_TCE32_SIZE,
				      .hv = true };
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long ua;

	ua = test_proc_contig_mem(test, SEC_RUN_ORDER);
	test_proc_set_memlock(test, 1UL << 30);
	fg = fake_tce_group_new(test, &opts);
	c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, c, ua, 0, SEC_RUN_SIZE,
					      RW));
	KUNIT_EXPECT_EQ(test, SEC_RUN_SIZE / SZ_4K, fg->stats.set_entries);
	KUNIT_EXPECT_EQ(test, 512, fg->stats.set_max);
}

static long sec_register_other(struct test_proc_other *o)
{
	unsigned long ua = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
				   MAP_ANONYMOUS | MAP_PRIVATE, 0);
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = ua, .size = PAGE_SIZE,
	};
	long ret;

	if (IS_ERR_VALUE(ua))
		return -ENOMEM;
	ret = tce_call_ioctl_other(o->data, REG, &r, sizeof(r));
	if (!ret)
		ret = tce_call_ioctl_other(o->data, UNREG, &r,
					   sizeof(r));
	return ret;
}

/*
 * The container is bound to an mm under its lock, in the same critical
 * section as the call that binds it: while the lock is held, a REGISTER
 * from another process binds nothing. Afterwards the other process owns
 * the container and this one is refused.
 */
static void mm_bound_under_lock(struct kunit *test)
{
	struct test_proc_other *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	struct tce_container *c;
	bool done;

	KUNIT_ASSERT_NOT_NULL(test, o);
	test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	c = sec_v2(test, NULL);
	o->data = c;
	o->fn = sec_register_other;

	mutex_lock(&c->lock);
	test_proc_other_start(test, o);
	msleep(100);
	KUNIT_EXPECT_NULL(test, c->mm);
	mutex_unlock(&c->lock);
	done = test_proc_other_wait(o, 5000);
	KUNIT_ASSERT_TRUE(test, done);

	KUNIT_EXPECT_EQ(test, 0, o->ret);
	KUNIT_EXPECT_NOT_NULL(test, c->mm);
	KUNIT_EXPECT_PTR_NE(test, current->mm, c->mm);
	KUNIT_EXPECT_EQ(test, -EPERM,
			tce_call_prereg(test, c, REG, test_proc_user_mem(test,
									 PAGE_SIZE),
					PAGE_SIZE));
}

static long sec_get_info_unmapped(struct test_proc_other *o)
{
	/* An address nothing is mapped at, in the thread's fresh mm */
	return tce_call_ioctl(o->data, VFIO_IOMMU_SPAPR_TCE_GET_INFO, PAGE_SIZE);
}

/*
 * Arguments are copied in before the container lock is taken: a copy that
 * faults (or that userfaultfd stalls) never holds the lock. With the lock
 * held, a GET_INFO whose argument is not mapped fails at once.
 */
static void args_copied_before_lock(struct kunit *test)
{
	struct test_proc_other *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	struct tce_container *c;
	bool done;

	KUNIT_ASSERT_NOT_NULL(test, o);
	c = sec_v2(test, NULL);
	o->data = c;
	o->fn = sec_get_info_unmapped;

	mutex_lock(&c->lock);
	test_proc_other_start(test, o);
	done = test_proc_other_wait(o, 1000);
	mutex_unlock(&c->lock);
	if (!done)
		KUNIT_ASSERT_TRUE(test, test_proc_other_wait(o, 5000));
	KUNIT_EXPECT_TRUE(test, done);
	KUNIT_EXPECT_EQ(test, -EFAULT, o->ret);
}

/*
 * A container maps only through regions it registered itself: another
 * container of the same process may give its region back at any time.
 */
static void v2_map_other_containers_region(struct kunit *test)
{
	struct tce_container *a, *b;
	unsigned long ua, start_vm;
	struct fake_tce_group *fb;
	struct iommu_table *tbl;

	ua = test_proc_user_mem(test, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, 0, put_user(1, (u8 __user *)ua));
	test_proc_set_memlock(test, 1UL << 30);
	start_vm = test_proc_locked_vm();
	a = sec_v2(test, NULL);
	b = sec_v2(test, &fb);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, a, REG, ua, PAGE_SIZE));
	/* b is enabled by a region of its own elsewhere */
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_prereg(test, b, REG,
					test_proc_user_mem(test, PAGE_SIZE),
					PAGE_SIZE));

	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_map(test, b, ua, 0, PAGE_SIZE, RW));
	tbl = fb->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(tbl));

	/* a gives its region back with its fd; b registers it, then maps */
	tce_call_release(test, a);
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, b, REG, ua, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, b, ua, 0, PAGE_SIZE,
					      RW));
	tce_call_release(test, b);
	KUNIT_EXPECT_EQ(test, start_vm, test_proc_locked_vm());
}

/**
 * struct sec_disable_env - an enabled v1 container that maps a user page
 * @fg: its group
 * @c: the container
 * @ua: the page, mapped at iova 0
 * @base: the page's refcount before the container pinned it
 * @start_vm: locked_vm before the container was enabled
 */
struct sec_disable_env {
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long ua;
	unsigned long start_vm;
	int base;
};

static void sec_disable_env_init(struct kunit *test,
				 struct sec_disable_env *e)
{
	int ref;

	e->ua = test_proc_user_mem(test, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, 0, put_user(1, (u8 __user *)e->ua));
	test_proc_page_of(test, e->ua, &e->base);
	test_proc_set_memlock(test, 1UL << 30);
	e->start_vm = test_proc_locked_vm();
	e->c = sec_v1(test, &e->fg);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e->c, e->ua, 0, PAGE_SIZE,
					      RW));
	test_proc_page_of(test, e->ua, &ref);
	KUNIT_ASSERT_NE(test, e->base, ref);
}

/*
 * v1 DISABLE gives back the charge that covers MAP's pins, so it takes
 * the mappings with it: their TCEs are cleared, their pages released,
 * and nothing stays pinned uncharged
 */
static void v1_disable_clears_mappings(struct kunit *test)
{
	struct sec_disable_env e;
	int ref;

	sec_disable_env_init(test, &e);
	KUNIT_EXPECT_EQ(test, 0, tce_call_ioctl(e.c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.fg->table_group.tables[0]));
	test_proc_page_of(test, e.ua, &ref);
	KUNIT_EXPECT_EQ(test, e.base, ref);
}

/* After v1 DISABLE only the default window's table stays charged */
static void v1_disable_leaves_only_table_charged(struct kunit *test)
{
	struct sec_disable_env e;

	sec_disable_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(e.c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, e.start_vm +
			DIV_ROUND_UP(e.fg->table_group.tables[0]->it_allocated_size,
				     PAGE_SIZE),
			test_proc_locked_vm());
}

/* After v1 DISABLE, UNMAP of what was mapped is refused: -EPERM */
static void v1_unmap_after_disable_refused(struct kunit *test)
{
	struct sec_disable_env e;

	sec_disable_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(e.c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_EXPECT_EQ(test, -EPERM, tce_call_unmap(test, e.c, 0,
						     PAGE_SIZE));
}

/* ENABLE after v1 DISABLE maps again where the cleared mapping was */
static void v1_enable_after_disable_maps_again(struct kunit *test)
{
	struct sec_disable_env e;

	sec_disable_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(e.c, VFIO_IOMMU_DISABLE, 0));
	KUNIT_ASSERT_EQ(test, 0, tce_call_ioctl(e.c, VFIO_IOMMU_ENABLE, 0));
	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0, PAGE_SIZE,
					      RW));
}

/*
 * REGISTER of a range of which only a part can be pinned (writable pages,
 * then read-only ones) is an error, not a page count, and leaves nothing
 * registered or charged.
 */
static void v2_register_partial_pin(struct kunit *test)
{
	struct tce_container *c;
	unsigned long ua, ro, start_vm;

	ua = test_proc_user_mem(test, 4 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, 0, vm_munmap(ua + 2 * PAGE_SIZE, 2 * PAGE_SIZE));
	ro = kunit_vm_mmap(test, NULL, ua + 2 * PAGE_SIZE, 2 * PAGE_SIZE,
			   PROT_READ, MAP_ANONYMOUS | MAP_PRIVATE |
			   MAP_FIXED_NOREPLACE, 0);
	KUNIT_ASSERT_EQ(test, ua + 2 * PAGE_SIZE, ro);
	test_proc_set_memlock(test, 1UL << 30);
	start_vm = test_proc_locked_vm();
	c = sec_v2(test, NULL);

	KUNIT_EXPECT_EQ(test, -EFAULT,
			tce_call_prereg(test, c, REG, ua, 4 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, start_vm, test_proc_locked_vm());
	/* Nothing of it stayed registered: the writable part can be */
	KUNIT_EXPECT_EQ(test, 0,
			tce_call_prereg(test, c, REG, ua, 2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0,
			tce_call_prereg(test, c, UNREG, ua, 2 * PAGE_SIZE));
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start_vm, test_proc_locked_vm());
}

/*
 * User address 0 marks an empty entry in a v2 table's userspace view, so
 * v2 MAP never maps it: -EINVAL, nothing written.
 */
static void v2_map_user_address_zero(struct kunit *test)
{
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long ua;

	/* The case's kernel thread may map page 0 (CAP_SYS_RAWIO) */
	test_proc_user_mem(test, PAGE_SIZE);
	ua = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE, 0);
	KUNIT_ASSERT_EQ(test, 0, ua);
	test_proc_set_memlock(test, 1UL << 30);
	c = sec_v2(test, &fg);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, c, REG, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_map(test, c, 0, 0, PAGE_SIZE, RW));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(fg->table_group.tables[0]));
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, c, UNREG, 0, PAGE_SIZE));
}

/* Empty a TCE behind the backend's back, as KVM's handlers may */
static void sec_kvm_clear(struct iommu_table *tbl, unsigned long entry)
{
	enum dma_data_direction dir = DMA_NONE;
	unsigned long hpa = 0;

	tbl->it_ops->xchg_no_kill(tbl, entry, &hpa, &dir);
}

/* A touched user page, and its refcount before anything pinned it */
static unsigned long sec_kvm_page(struct kunit *test, int *base)
{
	unsigned long ua = test_proc_user_mem(test, PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, 0, put_user(1, (u8 __user *)ua));
	test_proc_page_of(test, ua, base);
	test_proc_set_memlock(test, 1UL << 30);
	return ua;
}

/*
 * KVM's in-kernel TCE handlers may empty an entry of a window attached to
 * a guest's table without releasing what the backend took for it. What
 * the backend holds is what its records say: MAP there is still -EBUSY,
 * and UNMAP releases the pin (v1; the region's count for v2 below).
 */
static void kvm_emptied_entry_v1(struct kunit *test)
{
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long ua;
	int base, ref;

	ua = sec_kvm_page(test, &base);
	c = sec_v1(test, &fg);
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, c, ua, 0, SZ_4K, RW));
	sec_kvm_clear(fg->table_group.tables[0], 0);
	KUNIT_EXPECT_EQ(test, -EBUSY,
			tce_call_map(test, c, ua, 0, SZ_4K, RW));
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, c, 0, SZ_4K));
	test_proc_page_of(test, ua, &ref);
	KUNIT_EXPECT_EQ(test, base, ref);
}

/* The same on v2: UNMAP gives back the region's mapping count */
static void kvm_emptied_entry_v2(struct kunit *test)
{
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long ua, start_vm;
	int base;

	ua = sec_kvm_page(test, &base);
	start_vm = test_proc_locked_vm();
	c = sec_v2(test, &fg);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, c, REG, ua, PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, c, ua, 0, PAGE_SIZE, RW));
	sec_kvm_clear(fg->table_group.tables[0], 0);
	KUNIT_EXPECT_EQ(test, -EBUSY,
			tce_call_map(test, c, ua, 0, SZ_4K, RW));
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, c, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, c, UNREG, ua,
						 PAGE_SIZE));
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start_vm, test_proc_locked_vm());
}

/*
 * Two containers of one mm may register the same region: each holds a
 * use of it. One that still maps the region must not give its use back,
 * or the other's release finds the region mapped and it stays pinned to
 * nobody. UNREGISTER is -EBUSY until that container unmapped it.
 */
static void v2_unregister_shared_region_while_mapped(struct kunit *test)
{
	struct tce_container *a, *b;
	unsigned long ua, start_vm;
	struct page *page;
	int ref;

	ua = test_proc_user_mem(test, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, 0, put_user(1, (u8 __user *)ua));
	page = test_proc_page_of(test, ua, &ref);
	test_proc_set_memlock(test, 1UL << 30);
	start_vm = test_proc_locked_vm();
	a = sec_v2(test, NULL);
	b = sec_v2(test, NULL);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, a, REG, ua, PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, b, REG, ua, PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, a, ua, 0, PAGE_SIZE,
					      RW));

	KUNIT_EXPECT_EQ(test, -EBUSY,
			tce_call_prereg(test, a, UNREG, ua, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, a, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, a, UNREG, ua,
						 PAGE_SIZE));
	tce_call_release(test, b);
	tce_call_release(test, a);
	/*
	 * A region's pages are unpinned by an RCU callback; then the page
	 * must hold no pin
	 */
	rcu_barrier();
	KUNIT_EXPECT_FALSE(test, folio_maybe_dma_pinned(page_folio(page)));
	KUNIT_EXPECT_EQ(test, start_vm, test_proc_locked_vm());
}

static struct kunit_case security_cases[] = {
	KUNIT_CASE_PARAM(v2_map_mixed_page_sizes, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(create_over_memlock_leaves_nothing,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(create_after_memlock_refusal_succeeds,
			 fake_tce_platform_gen_params),
	KUNIT_CASE(hv_runs_capped_v2),
	KUNIT_CASE(hv_runs_capped_v1),
	KUNIT_CASE(mm_bound_under_lock),
	KUNIT_CASE(args_copied_before_lock),
	KUNIT_CASE_PARAM(v2_map_other_containers_region,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(v2_unregister_shared_region_while_mapped,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(v1_disable_clears_mappings,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(v1_disable_leaves_only_table_charged,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(v1_unmap_after_disable_refused,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(v1_enable_after_disable_maps_again,
			 fake_tce_platform_gen_params),
	KUNIT_CASE(v2_register_partial_pin),
	KUNIT_CASE_PARAM(v2_map_user_address_zero, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(kvm_emptied_entry_v1, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(kvm_emptied_entry_v2, fake_tce_platform_gen_params),
	{}
};

static struct kunit_suite security_suite = {
	.name = "vfio_spapr_tce_security",
	.test_cases = security_cases,
};

kunit_test_suite(security_suite);

// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the v2 ioctls: memory pre-registration and its locked_vm, mapping
 * through pre-registered memory and the regions' mapping counts, dynamic
 * windows (TCE_CREATE / TCE_REMOVE), and their errnos.
 */

#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/vfio.h>

#include "fake_tce.h"
#include "tce_call.h"
#include "test_proc.h"

FAKE_TCE_PLATFORM_PARAMS();

#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)
#define REG	VFIO_IOMMU_SPAPR_REGISTER_MEMORY
#define UNREG	VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY
#define NPAGES	8

/**
 * struct v2_env - a v2 container with one group and user memory
 * @fg: the group
 * @c: the container
 * @ua: NPAGES pages of user memory
 * @start: locked_vm before anything was registered
 */
struct v2_env {
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long ua;
	unsigned long start;
};

/* On the kind of table the case's parameter names (exchange if none) */
static void v2_env_init(struct kunit *test, struct v2_env *e)
{
	struct fake_tce_opts opts = fake_tce_ddw_opts;

	opts.hv = fake_tce_param_hv(test);
	e->fg = fake_tce_group_new(test, &opts);
	e->ua = test_proc_user_mem(test, NPAGES * PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	e->start = test_proc_locked_vm();
	e->c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(e->c, e->fg->grp));
}

/* Registration charges locked_vm, once: a region cannot be registered twice */
static void register_charges_once(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE;
	struct v2_env e;
	long ret;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e.c, REG, e.ua, size));
	KUNIT_EXPECT_EQ(test, e.start + NPAGES, test_proc_locked_vm());

	KUNIT_EXPECT_EQ(test, -EBUSY, tce_call_prereg(test, e.c, REG, e.ua,
						      size));
	/* Overlapping another region */
	ret = tce_call_prereg(test, e.c, REG, e.ua + PAGE_SIZE,
			      size - 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, -EINVAL, ret);
	KUNIT_EXPECT_EQ(test, e.start + NPAGES, test_proc_locked_vm());
}

/* Unregistration takes the exact region and gives its charge back */
static void unregister_gives_back(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE;
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e.c, REG, e.ua, size));

	KUNIT_EXPECT_EQ(test, -ENOENT, tce_call_prereg(test, e.c, UNREG, e.ua,
						       PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, e.c, UNREG, e.ua, size));
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, -ENOENT, tce_call_prereg(test, e.c, UNREG, e.ua,
						       size));
}

/* Release gives back what is still registered */
static void release_gives_back_registered(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE;
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e.c, REG, e.ua, size));
	KUNIT_EXPECT_EQ(test, e.start + NPAGES, test_proc_locked_vm());
	tce_call_release(test, e.c);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
}

/**
 * struct bad_register - one refused REGISTER or UNREGISTER and its errno
 * @what: what is wrong with it; the parameter name
 * @cmd: REG or UNREG
 * @vaddr: user address, relative to the case's memory unless @vaddr_abs
 * @size: bytes
 * @flags: the argument's flags
 * @argsz: the argument's argsz; 0 for its size
 * @err: the errno
 * @vaddr_abs: @vaddr is a user address of its own
 * @no_arg: the argument is not there (user address 0)
 */
struct bad_register {
	const char *what;
	unsigned int cmd;
	u64 vaddr, size;
	u32 flags, argsz;
	long err;
	bool vaddr_abs;
	bool no_arg;
};

static const struct bad_register bad_registers[] = {
	/* Nothing bound the container to an mm yet */
	{ .what = "unregister_before_any_register", .cmd = UNREG,
	  .size = PAGE_SIZE, .err = -EPERM },
	{ .what = "vaddr_misaligned", .cmd = REG, .vaddr = 8,
	  .size = PAGE_SIZE, .err = -EINVAL },
	{ .what = "size_misaligned", .cmd = REG, .size = PAGE_SIZE + 8,
	  .err = -EINVAL },
	{ .what = "size_zero", .cmd = REG, .size = 0, .err = -EINVAL },
	{ .what = "range_wraps", .cmd = REG, .vaddr = -PAGE_SIZE,
	  .size = 2 * PAGE_SIZE, .err = -EINVAL, .vaddr_abs = true },
	{ .what = "unknown_flag", .cmd = REG, .size = PAGE_SIZE, .flags = 1,
	  .err = -EINVAL },
	{ .what = "argsz_too_small", .cmd = REG, .size = PAGE_SIZE,
	  .argsz = sizeof(struct vfio_iommu_spapr_register_memory) - 1,
	  .err = -EINVAL },
	{ .what = "argument_fault", .cmd = REG, .err = -EFAULT,
	  .no_arg = true },
	/* UNREGISTER checks its argument the same way, before anything */
	{ .what = "unregister_vaddr_misaligned", .cmd = UNREG, .vaddr = 8,
	  .size = PAGE_SIZE, .err = -EINVAL },
	{ .what = "unregister_size_misaligned", .cmd = UNREG,
	  .size = PAGE_SIZE + 8, .err = -EINVAL },
	{ .what = "unregister_size_zero", .cmd = UNREG, .size = 0,
	  .err = -EINVAL },
	{ .what = "unregister_range_wraps", .cmd = UNREG, .vaddr = -PAGE_SIZE,
	  .size = 2 * PAGE_SIZE, .err = -EINVAL, .vaddr_abs = true },
	{ .what = "unregister_unknown_flag", .cmd = UNREG, .size = PAGE_SIZE,
	  .flags = 1, .err = -EINVAL },
	{ .what = "unregister_argsz_too_small", .cmd = UNREG,
	  .size = PAGE_SIZE,
	  .argsz = sizeof(struct vfio_iommu_spapr_register_memory) - 1,
	  .err = -EINVAL },
	{ .what = "unregister_argument_fault", .cmd = UNREG, .err = -EFAULT,
	  .no_arg = true },
};

KUNIT_ARRAY_PARAM_DESC(bad_register, bad_registers, what);

/* One refused (UN)REGISTER: its errno, and nothing charged */
static void register_refused(struct kunit *test)
{
	const struct bad_register *b = test->param_value;
	struct vfio_iommu_spapr_register_memory r;
	struct v2_env e;
	long ret;

	v2_env_init(test, &e);
	r = (struct vfio_iommu_spapr_register_memory){
		.argsz = b->argsz ?: sizeof(r), .flags = b->flags,
		.vaddr = b->vaddr_abs ? b->vaddr : e.ua + b->vaddr,
		.size = b->size,
	};
	if (b->no_arg)
		ret = tce_call_ioctl(e.c, b->cmd, 0);
	else
		ret = tce_call_ioctl_user(test, e.c, b->cmd, &r, sizeof(r));
	KUNIT_EXPECT_EQ(test, b->err, ret);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
}

/* v1 has none of the v2 ioctls */
static void v1_has_no_v2_ioctls(struct kunit *test)
{
	unsigned long ua = test_proc_user_mem(test, PAGE_SIZE);
	struct tce_container *c = tce_call_open(test, VFIO_SPAPR_TCE_IOMMU);

	KUNIT_EXPECT_EQ(test, -ENOTTY, tce_call_prereg(test, c, REG, ua,
						       PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, -ENOTTY,
			tce_call_create(test, c, 16, SZ_1G, 1, NULL));
	KUNIT_EXPECT_EQ(test, -ENOTTY, tce_call_remove(test, c, 0));
}

/* v2 MAP needs registered memory, all of the range: -EPERM, -EINVAL */
static void map_needs_registration(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE;
	struct iommu_table *tbl;
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_EXPECT_EQ(test, -EPERM, tce_call_map(test, e.c, e.ua, 0,
						   PAGE_SIZE, RW));
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e.c, REG, e.ua,
						 size / 2));
	/* Only the first half is registered */
	KUNIT_EXPECT_EQ(test, -EINVAL, tce_call_map(test, e.c, e.ua, 0,
						    size, RW));
	tbl = e.fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(tbl));
}

/* Two regions registered one after the other, mapped by one MAP */
static struct iommu_table *v2_map_all(struct kunit *test, struct v2_env *e)
{
	unsigned long size = NPAGES * PAGE_SIZE;

	v2_env_init(test, e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e->c, REG, e->ua,
						 size / 2));
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e->c, REG,
						 e->ua + size / 2, size / 2));
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e->c, e->ua, 0, size,
					      RW));
	KUNIT_ASSERT_NOT_NULL(test, e->fg->table_group.tables[0]);
	return e->fg->table_group.tables[0];
}

/* MAP through registered memory: the TCEs and the userspace view */
static void map_through_registration(struct kunit *test)
{
	unsigned long i, n = NPAGES * PAGE_SIZE / SZ_4K;
	struct iommu_table *tbl;
	struct page *page;
	struct v2_env e;
	int ref;

	tbl = v2_map_all(test, &e);
	KUNIT_EXPECT_EQ(test, n, fake_tce_live(tbl));
	for (i = 0; i < n; i++) {
		unsigned long ua = e.ua + i * SZ_4K;

		page = test_proc_page_of(test, ua, &ref);
		KUNIT_EXPECT_EQ_MSG(test, page_to_phys(page) + (ua & ~PAGE_MASK),
				    fake_tce_get(tbl, i), "TCE %lu", i);
		KUNIT_EXPECT_EQ(test, ua, fake_tce_user_view(tbl, i));
	}
}

/*
 * The cost of that MAP: exchanges on exchange tables; on hv tables runs,
 * at most one per system page, emptiness known from the userspace view
 */
static void map_through_registration_cost(struct kunit *test)
{
	unsigned long n = NPAGES * PAGE_SIZE / SZ_4K;
	struct v2_env e;

	v2_map_all(test, &e);
	KUNIT_EXPECT_EQ(test, e.fg->hv ? 0 : n, e.fg->stats.xchg);
	KUNIT_EXPECT_EQ(test, e.fg->hv ? n : 0, e.fg->stats.set_entries);
	KUNIT_EXPECT_LE(test, e.fg->stats.set, NPAGES);
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.set_over_live);
}

/*
 * Mapped regions stay registered until unmapped; then they go, and with
 * them their charge: only the window's table stays charged until release
 */
static void mapped_regions_stay_registered(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE, n = size / SZ_4K;
	struct iommu_table *tbl;
	struct v2_env e;
	long ret;

	tbl = v2_map_all(test, &e);
	KUNIT_EXPECT_EQ(test, -EBUSY, tce_call_prereg(test, e.c, UNREG, e.ua,
						      size / 2));
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, e.c, 0, size / 2));
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, e.c, UNREG, e.ua,
						 size / 2));
	ret = tce_call_prereg(test, e.c, UNREG, e.ua + size / 2, size / 2);
	KUNIT_EXPECT_EQ(test, -EBUSY, ret);
	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, e.c, size / 2,
						size / 2));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(tbl));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_user_view(tbl, n - 1));
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, e.c, UNREG,
						 e.ua + size / 2, size / 2));
	KUNIT_EXPECT_EQ(test, e.start + tbl->it_allocated_size / PAGE_SIZE,
			test_proc_locked_vm());
	tce_call_release(test, e.c);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
}

/* Failure part-way and collisions leave the mapping counts balanced */
static void map_failures_balance_counts(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE, old;
	struct iommu_table *tbl;
	struct v2_env e;
	long ret;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e.c, REG, e.ua, size));

	e.fg->write_fail_entry = 5;
	KUNIT_EXPECT_EQ(test, -EIO, tce_call_map(test, e.c, e.ua, 0, size,
						 RW));
	tbl = e.fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(tbl));
	e.fg->write_fail_entry = -1;

	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, 0, SZ_64K,
					      RW));
	old = fake_tce_get(tbl, 3);
	ret = tce_call_map(test, e.c, e.ua + PAGE_SIZE, 0, SZ_64K, RW);
	KUNIT_EXPECT_EQ(test, -EBUSY, ret);
	KUNIT_EXPECT_EQ(test, old, fake_tce_get(tbl, 3));
	KUNIT_EXPECT_EQ(test, e.ua + 3 * SZ_4K,
			fake_tce_user_view(tbl, 3));
	KUNIT_EXPECT_EQ(test, SZ_64K / SZ_4K, fake_tce_live(tbl));

	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, e.c, 0, SZ_64K));
	/* Every count taken was dropped: the region can go */
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, e.c, UNREG, e.ua, size));
	tce_call_release(test, e.c);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
}

/**
 * struct bad_create - a TCE_CREATE refused with -EINVAL
 * @name: what is wrong with it; the parameter name
 * @shift: IOMMU page shift
 * @size: window size
 * @levels: table levels
 * @flags: flags
 * @argsz: argsz; 0 for the whole structure
 */
struct bad_create {
	const char *name;
	u32 shift;
	u64 size;
	u32 levels;
	u32 flags;
	u32 argsz;
};

static const struct bad_create bad_creates[] = {
	{ "page_size_unsupported", 13, SZ_1G, 1 },
	{ "page_shift_64", 64, SZ_1G, 1 },
	{ "zero_levels", 16, SZ_1G, 0 },
	{ "too_many_levels", 16, SZ_1G, 6 },
	{ "size_not_power_of_two", 16, SZ_1G + SZ_64K, 1 },
	{ "size_below_page", 16, SZ_4K, 1 },
	{ "unknown_flag", 16, SZ_1G, 1, 1 },
	{ "argsz_too_small", 16, SZ_1G, 1, 0,
	  offsetofend(struct vfio_iommu_spapr_tce_create, start_addr) - 1 },
};

KUNIT_ARRAY_PARAM_DESC(bad_create, bad_creates, name);

/* A refused TCE_CREATE: -EINVAL, no window made */
static void create_refused(struct kunit *test)
{
	const struct bad_create *b = test->param_value;
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = b->argsz ?: sizeof(cr), .flags = b->flags,
		.page_shift = b->shift, .window_size = b->size,
		.levels = b->levels,
	};
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_ioctl_user(test, e.c,
					    VFIO_IOMMU_SPAPR_TCE_CREATE, &cr,
					    sizeof(cr)));
	KUNIT_EXPECT_NULL(test, e.fg->table_group.tables[1]);
}

/* TCE_CREATE makes one window, above 2^59, and sets it on every group */
static void create_window_on_every_group(struct kunit *test)
{
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	struct iommu_table *tbl;
	struct v2_env e;
	u64 start = 0;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(e.c, b->grp));

	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 2, &start));
	KUNIT_EXPECT_EQ(test, FAKE_DDW_BASE, start);
	tbl = e.fg->table_group.tables[1];
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_EXPECT_PTR_EQ(test, tbl, b->table_group.tables[1]);
	KUNIT_EXPECT_EQ(test, 16, tbl->it_page_shift);
	KUNIT_EXPECT_EQ(test, SZ_1G >> 16, tbl->it_size);
}

/* TCE_CREATE makes the pending default window first, as number 0 */
static void create_window_makes_pending_default_first(struct kunit *test)
{
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_ASSERT_NULL(test, e.fg->table_group.tables[0]);
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 2, NULL));
	KUNIT_EXPECT_NOT_NULL(test, e.fg->table_group.tables[0]);
}

/* Both tables, the default window's and the new one's, are charged */
static void create_window_charges_both_tables(struct kunit *test)
{
	struct iommu_table *def, *tbl;
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 2, NULL));
	def = e.fg->table_group.tables[0];
	tbl = e.fg->table_group.tables[1];
	KUNIT_ASSERT_NOT_NULL(test, def);
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_EXPECT_EQ(test, e.start +
			(def->it_allocated_size + tbl->it_allocated_size) /
			PAGE_SIZE,
			test_proc_locked_vm());
}

/* Two windows are all the platform has: a third is -ENOSPC */
static void create_third_window_no_space(struct kunit *test)
{
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 2, NULL));
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			tce_call_create(test, e.c, 16, SZ_1G, 1, NULL));
}

/*
 * Release frees the windows TCE_CREATE made, the default one with them,
 * and gives back their charge
 */
static void release_frees_created_windows(struct kunit *test)
{
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 2, NULL));
	KUNIT_ASSERT_GT(test, test_proc_locked_vm(), e.start);
	tce_call_release(test, e.c);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.tables_live);
}

/*
 * QEMU's removal of the default window while it is still pending: it is
 * cancelled, and a new window takes number 0, with the platform's 32-bit
 * base
 */
static void remove_pending_default(struct kunit *test)
{
	struct v2_env e;
	u64 start;

	v2_env_init(test, &e);
	KUNIT_EXPECT_EQ(test, 0, tce_call_remove(test, e.c, 0));
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.create_table);

	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 1, &start));
	KUNIT_EXPECT_EQ(test, 0, start);
	KUNIT_EXPECT_EQ(test, 1, e.fg->stats.create_table);
	KUNIT_ASSERT_NOT_NULL(test, e.fg->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 16, e.fg->table_group.tables[0]->it_page_shift);
	KUNIT_EXPECT_NULL(test, e.fg->table_group.tables[1]);
}

/*
 * TCE_REMOVE of a mapped window clears and releases its entries, unsets it
 * on every group, frees its table and gives back its charge; the
 * registered memory it mapped can then be unregistered
 */
static void remove_window(struct kunit *test)
{
	struct fake_tce_group *b = fake_tce_group_new(test, &fake_tce_ddw_opts);
	unsigned long size = NPAGES * PAGE_SIZE;
	unsigned long after_reg;
	struct v2_env e;
	u64 start;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(e.c, b->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e.c, REG, e.ua, size));
	after_reg = test_proc_locked_vm();
	KUNIT_ASSERT_EQ(test, 0, tce_call_remove(test, e.c, 0));
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 1, &start));
	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, start, size,
					      RW));
	KUNIT_EXPECT_EQ(test, -EBUSY, tce_call_prereg(test, e.c, UNREG, e.ua,
						      size));

	KUNIT_EXPECT_EQ(test, 0, tce_call_remove(test, e.c, start));
	KUNIT_EXPECT_NULL(test, e.fg->table_group.tables[0]);
	KUNIT_EXPECT_NULL(test, b->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.live_at_free);
	KUNIT_EXPECT_EQ(test, after_reg, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, -ENXIO, tce_call_map(test, e.c, e.ua, 0,
						   size, RW));

	/* Its mappings were dropped with it */
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, e.c, UNREG, e.ua, size));
	tce_call_release(test, e.c);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
}

/* TCE_REMOVE takes a window's exact start, of a window that is there */
static void remove_refused(struct kunit *test)
{
	struct v2_env e;
	u64 start;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_remove(test, e.c, 0));
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 1, &start));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_remove(test, e.c, start + SZ_64K));
	KUNIT_EXPECT_NOT_NULL(test, e.fg->table_group.tables[0]);
	KUNIT_ASSERT_EQ(test, 0, tce_call_remove(test, e.c, start));
	KUNIT_EXPECT_EQ(test, -EINVAL, tce_call_remove(test, e.c, start));
}

/* TCE_REMOVE with a flag or a short argsz: -EINVAL, the window stays */
static void remove_bad_argument(struct kunit *test)
{
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	struct v2_env e;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_create(test, e.c, 16, SZ_1G, 1,
						 &rm.start_addr));
	rm.flags = 1;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_ioctl_user(test, e.c,
					    VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm,
					    sizeof(rm)));
	rm.flags = 0;
	rm.argsz = sizeof(rm) - 1;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_ioctl_user(test, e.c,
					    VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm,
					    sizeof(rm)));
	KUNIT_EXPECT_NOT_NULL(test, e.fg->table_group.tables[1]);
}

/*
 * A window with indirect levels, whose userspace view is not one array: a
 * mapping over leaves of the view notes each entry where the platform
 * keeps it, and unmapping finds every one again
 */
static void map_across_view_leaves(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE, n = size / SZ_4K, i;
	struct iommu_table *tbl;
	struct v2_env e;
	u64 start, iova;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e.c, REG, e.ua, size));
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 12, SZ_4M, 2, &start));
	tbl = e.fg->table_group.tables[1];
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_ASSERT_EQ(test, 1, tbl->it_indirect_levels);
	/* n >= 8: from the middle of a leaf, into the next one at least */
	iova = start + (tbl->it_level_size - 5) * SZ_4K;

	KUNIT_ASSERT_EQ(test, 0, tce_call_map(test, e.c, e.ua, iova, size,
					      RW));
	KUNIT_EXPECT_EQ(test, n, fake_tce_live(tbl));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, e.ua + i * SZ_4K,
				    fake_tce_user_view(tbl, (iova >> 12) + i),
				    "entry %lu", i);
	KUNIT_EXPECT_EQ(test, 0, fake_tce_user_view(tbl, (iova >> 12) - 1));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_user_view(tbl, (iova >> 12) + n));

	KUNIT_EXPECT_EQ(test, 0, tce_call_unmap(test, e.c, iova, size));
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(tbl));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, 0,
				fake_tce_user_view(tbl, (iova >> 12) + i));
	/* Every mapping count was dropped: the region can go */
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, e.c, UNREG, e.ua, size));
	tce_call_release(test, e.c);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
}

/* An IOMMU page bigger than the registered memory's pages is refused */
static void map_page_too_small(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE;
	struct v2_env e;
	u64 start;
	long ret;

	v2_env_init(test, &e);
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, e.c, REG, e.ua, size));
	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, e.c, 24, SZ_1G, 1, &start));

	ret = tce_call_map(test, e.c, e.ua & ~(SZ_16M - 1), start, SZ_16M,
			   RW);
	KUNIT_EXPECT_EQ(test, -EINVAL, ret);
	KUNIT_EXPECT_EQ(test, 0, fake_tce_live(e.fg->table_group.tables[1]));
	KUNIT_EXPECT_EQ(test, 0, tce_call_prereg(test, e.c, UNREG, e.ua, size));
}

/* Registration is charged at once: over RLIMIT_MEMLOCK nothing is */
static void register_over_memlock(struct kunit *test)
{
	unsigned long size = NPAGES * PAGE_SIZE;
	struct v2_env e;
	long ret;

	v2_env_init(test, &e);
	test_proc_set_memlock(test, size - PAGE_SIZE);
	test_proc_set_ipc_lock(test, false);
	ret = tce_call_prereg(test, e.c, REG, e.ua, size);
	KUNIT_EXPECT_EQ(test, -ENOMEM, ret);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
	/* Nothing was registered: mapping is not enabled either */
	ret = tce_call_map(test, e.c, e.ua, 0, PAGE_SIZE, RW);
	KUNIT_EXPECT_EQ(test, -EPERM, ret);
	test_proc_set_ipc_lock(test, true);
	tce_call_release(test, e.c);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
}

/*
 * A window whose address cannot be written back is -EFAULT and taken back:
 * its slot is free for the next TCE_CREATE
 */
static void create_result_fault(struct kunit *test)
{
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = 16, .window_size = SZ_1G,
		.levels = 1,
	};
	struct iommu_table *def;
	struct v2_env e;
	unsigned long ro;
	u64 start = 0;

	v2_env_init(test, &e);
	ro = test_proc_ro_copy(test, &cr, sizeof(cr));
	KUNIT_EXPECT_EQ(test, -EFAULT,
			tce_call_ioctl(e.c, VFIO_IOMMU_SPAPR_TCE_CREATE, ro));
	/* The default window, made on the way, stays; the new one went */
	def = e.fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, def);
	KUNIT_EXPECT_EQ(test, 0, def->it_offset << def->it_page_shift);
	KUNIT_EXPECT_NULL(test, e.fg->table_group.tables[1]);
	KUNIT_EXPECT_EQ(test, 1, e.fg->stats.unset_window);
	KUNIT_EXPECT_EQ(test, 1, e.fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, 0,
			tce_call_create(test, e.c, 16, SZ_1G, 1, &start));
	KUNIT_EXPECT_EQ(test, FAKE_DDW_BASE, start);
	tce_call_release(test, e.c);
	KUNIT_EXPECT_EQ(test, 0, e.fg->stats.tables_live);
	KUNIT_EXPECT_EQ(test, e.start, test_proc_locked_vm());
}

/* Levels a client may ask of a platform whose tables have one level */
static const u32 one_level_asks[] = { 2, 3, 4, U32_MAX };

static void one_level_ask_desc(const u32 *levels, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "levels=%u", *levels);
}

KUNIT_ARRAY_PARAM(one_level_ask, one_level_asks, one_level_ask_desc);

/*
 * QEMU's default window on a 4K-page pseries host: the default removed,
 * then 1 GiB of 4K pages asked with two levels (more on retry). pseries'
 * tables have one level; the window is made with it, charged as it, and
 * maps.
 */
static void create_levels_on_one_level_platform(struct kunit *test)
{
	const u32 *levels = test->param_value;
	struct fake_tce_group *fg = fake_tce_group_new(test,
						       &fake_tce_pseries_opts);
	unsigned long ua = test_proc_user_mem(test, PAGE_SIZE);
	unsigned long start_vm;
	struct iommu_table *tbl;
	struct tce_container *c;
	u64 start = 1;

	test_proc_set_memlock(test, 1UL << 30);
	start_vm = test_proc_locked_vm();
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_prereg(test, c, REG, ua, PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, 0, tce_call_remove(test, c, 0));

	KUNIT_ASSERT_EQ(test, 0,
			tce_call_create(test, c, 12, SZ_1G, *levels, &start));
	KUNIT_EXPECT_EQ(test, 0, start);
	tbl = fg->table_group.tables[0];
	KUNIT_ASSERT_NOT_NULL(test, tbl);
	KUNIT_EXPECT_EQ(test, 0, tbl->it_indirect_levels);
	KUNIT_EXPECT_EQ(test, SZ_1G >> 12, tbl->it_size);
	KUNIT_EXPECT_EQ(test, start_vm + 1 + tbl->it_allocated_size / PAGE_SIZE,
			test_proc_locked_vm());

	KUNIT_EXPECT_EQ(test, 0, tce_call_map(test, c, ua, 0, PAGE_SIZE,
					      RW));
	KUNIT_EXPECT_EQ(test, PAGE_SIZE >> 12, fake_tce_live(tbl));
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, start_vm, test_proc_locked_vm());
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
}

/* Zero levels stays -EINVAL there: nothing is made */
static void create_zero_levels_on_one_level_platform(struct kunit *test)
{
	struct fake_tce_group *fg = fake_tce_group_new(test,
						       &fake_tce_pseries_opts);
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_remove(test, c, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_create(test, c, 12, SZ_1G, 0, NULL));
	KUNIT_EXPECT_NULL(test, fg->table_group.tables[0]);
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
}

/*
 * Where tables have more than one level, more levels than the group says
 * it has are refused before the platform is asked (its table code could
 * make them), and nothing is made or charged
 */
static void create_levels_above_max_refused(struct kunit *test)
{
	struct fake_tce_opts opts = fake_tce_ddw_opts;
	struct fake_tce_group *fg;
	struct tce_container *c;
	unsigned long before;

	opts.max_levels = 2;
	fg = fake_tce_group_new(test, &opts);
	test_proc_user_mem(test, PAGE_SIZE);
	test_proc_set_memlock(test, 1UL << 30);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_ASSERT_EQ(test, 0, tce_call_remove(test, c, 0));
	before = test_proc_locked_vm();

	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_create(test, c, 12, SZ_4M, 3, NULL));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			tce_call_create(test, c, 12, SZ_4M, U32_MAX, NULL));
	KUNIT_EXPECT_EQ(test, 0, fg->stats.create_table);
	KUNIT_EXPECT_EQ(test, before, test_proc_locked_vm());
	/* What it has, it makes */
	KUNIT_EXPECT_EQ(test, 0,
			tce_call_create(test, c, 12, SZ_4M, 2, NULL));
	KUNIT_ASSERT_NOT_NULL(test, fg->table_group.tables[0]);
	KUNIT_EXPECT_EQ(test, 1, fg->table_group.tables[0]->it_indirect_levels);
	tce_call_release(test, c);
	KUNIT_EXPECT_EQ(test, 0, fg->stats.tables_live);
}

/* A platform that cannot make windows: -EPERM, nothing made */
static void platform_without_windows(struct kunit *test)
{
	struct fake_tce_opts opts = {
		.tce32_size = FAKE_TCE32_SIZE, .ddw = true, .no_windows = true,
	};
	struct fake_tce_group *fg = fake_tce_group_new(test, &opts);
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_ASSERT_EQ(test, 0, tce_call_attach(c, fg->grp));
	KUNIT_EXPECT_EQ(test, -EPERM, tce_call_default_window(c));
	KUNIT_EXPECT_EQ(test, -EPERM,
			tce_call_create(test, c, 16, SZ_1G, 1, NULL));
	KUNIT_EXPECT_EQ(test, 0, fg->stats.create_table);
}

static void windows_need_a_group(struct kunit *test)
{
	struct tce_container *c;

	test_proc_user_mem(test, PAGE_SIZE);
	c = tce_call_open(test, VFIO_SPAPR_TCE_v2_IOMMU);
	KUNIT_EXPECT_EQ(test, -ENXIO,
			tce_call_create(test, c, 16, SZ_1G, 1, NULL));
	KUNIT_EXPECT_EQ(test, -ENXIO, tce_call_remove(test, c, 0));
}

static struct kunit_case v2_cases[] = {
	KUNIT_CASE(register_charges_once),
	KUNIT_CASE(unregister_gives_back),
	KUNIT_CASE(release_gives_back_registered),
	KUNIT_CASE_PARAM(register_refused, bad_register_gen_params),
	KUNIT_CASE(v1_has_no_v2_ioctls),
	KUNIT_CASE_PARAM(map_needs_registration, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_through_registration, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_through_registration_cost,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(mapped_regions_stay_registered,
			 fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_failures_balance_counts, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(create_refused, bad_create_gen_params),
	KUNIT_CASE(create_window_on_every_group),
	KUNIT_CASE(create_window_makes_pending_default_first),
	KUNIT_CASE(create_window_charges_both_tables),
	KUNIT_CASE(create_third_window_no_space),
	KUNIT_CASE_PARAM(release_frees_created_windows,
			 fake_tce_platform_gen_params),
	KUNIT_CASE(remove_pending_default),
	KUNIT_CASE(remove_window),
	KUNIT_CASE(remove_refused),
	KUNIT_CASE(remove_bad_argument),
	KUNIT_CASE_PARAM(map_across_view_leaves, fake_tce_platform_gen_params),
	KUNIT_CASE_PARAM(map_page_too_small, fake_tce_platform_gen_params),
	KUNIT_CASE(register_over_memlock),
	KUNIT_CASE(create_result_fault),
	KUNIT_CASE_PARAM(create_levels_on_one_level_platform,
			 one_level_ask_gen_params),
	KUNIT_CASE(create_zero_levels_on_one_level_platform),
	KUNIT_CASE(create_levels_above_max_refused),
	KUNIT_CASE(platform_without_windows),
	KUNIT_CASE(windows_need_a_group),
	{}
};

static struct kunit_suite v2_suite = {
	.name = "vfio_spapr_tce_v2",
	.test_cases = v2_cases,
};

kunit_test_suite(v2_suite);

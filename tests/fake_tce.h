/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake sPAPR platform shared by every vfio_spapr_tce KUnit suite: an
 * iommu_table_group with create_table/set_window/unset_window ops, carried
 * by a real iommu_group, whose iommu_tables record every TCE exchange and
 * invalidation. The suites drive the real container code on top of it.
 *
 * The suites' other helpers: tce_call.h (calls into the driver: its ops
 * and ioctls, as the VFIO core and userspace make them) and test_proc.h
 * (the process a case plays: user memory, limits, page pins). The
 * options they need are in tests/.kunitconfig: with the driver in a
 * kernel tree, at DIR, run them with
 * ./tools/testing/kunit/kunit.py run --arch=powerpc --kunitconfig=DIR/tests
 */
#ifndef VFIO_SPAPR_TCE_FAKE_H
#define VFIO_SPAPR_TCE_FAKE_H

#include <kunit/test.h>
#include <asm/iommu.h>

#include "vfio_spapr_tce.h"

/**
 * struct fake_tce_stats - what the fake platform saw; all counters
 * @create_table: tables created
 * @tables_live: tables created and not yet freed
 * @set_window: successful set_window calls
 * @unset_window: unset_window calls
 * @xchg: TCE exchanges
 * @xchg_live: exchanges that returned a live entry (it held a page)
 * @set: hv tables: set() calls (one hypervisor call per 512 entries)
 * @set_entries: hv tables: entries written by set()
 * @set_over_live: hv tables: entries set() wrote over a live entry, whose
 *	page would then never be released
 * @set_max: hv tables: the most entries one set() call wrote
 * @clear: hv tables: clear() calls
 * @clear_entries: hv tables: entries cleared by clear()
 * @kill: invalidations (tce_kill calls)
 * @kill_entry: first entry of the last invalidation
 * @kill_pages: number of entries of the last invalidation
 * @live_at_free: live entries found in tables when they were freed
 */
struct fake_tce_stats {
	unsigned int create_table;
	int tables_live;
	unsigned int set_window;
	unsigned int unset_window;
	unsigned long xchg;
	unsigned long xchg_live;
	unsigned long set;
	unsigned long set_entries;
	unsigned long set_over_live;
	unsigned long set_max;
	unsigned long clear;
	unsigned long clear_entries;
	unsigned int kill;
	unsigned long kill_entry;
	unsigned long kill_pages;
	unsigned long live_at_free;
};

/**
 * struct fake_tce_group - one fake PE: an iommu_group and its table group
 * @table_group: what iommu_group_get_iommudata() returns for @grp
 * @grp: a real iommu_group, released when the test ends
 * @stats: what happened to this group and to the tables it created
 * @set_window_fail: number of further set_window calls that succeed before
 *	one fails with -EIO; negative: never fail
 * @set_window_unlinked: set_window programs the window and returns 0 but
 *	does not record the table as the group's (powernv when its link
 *	allocation fails)
 * @write_fail_entry: writing a TCE at this entry (of any table the group
 *	created), by exchange or by set(), fails with -EIO; clearing it
 *	still works; negative: never
 * @hv: its tables are written through a hypervisor (see &fake_tce_opts.hv)
 * @one_level: its tables have one level only (see &fake_tce_opts.one_level)
 */
struct fake_tce_group {
	struct iommu_table_group table_group;
	struct iommu_group *grp;
	struct fake_tce_stats stats;
	int set_window_fail;
	bool set_window_unlinked;
	long write_fail_entry;
	bool hv;
	bool one_level;
};

/**
 * struct fake_tce_opts - how to build a fake group
 * @tce32_size: size of the default 32-bit window in bytes (0: none)
 * @ddw: supports dynamic windows (two windows, 4K/64K/16M pages)
 * @other_ops: use a second, incompatible, set of table group ops
 * @no_iommudata: do not attach the table group to the iommu_group
 * @no_windows: a platform without create_table/set_window/unset_window
 * @hv: tables written through a hypervisor, like pseries LPAR ones: with
 *	set() and clear() ops and no tce_kill; set() grants the device read
 *	access whatever the direction, as the real one does. Like pseries
 *	too, creating a table sets the window on its group (set_window()
 *	only checks it is that table) until unset_window()
 * @one_level: tables of one level only, like pseries: max_levels is 1,
 *	get_table_size() and create_table() refuse more levels
 * @max_levels: with @ddw and not @one_level, the max_levels the group
 *	says it has (0: all the fake's tables can have, 5); the tables
 *	themselves can still have up to 5
 */
struct fake_tce_opts {
	u32 tce32_size;
	bool ddw;
	bool other_ops;
	bool no_iommudata;
	bool no_windows;
	bool hv;
	bool one_level;
	u32 max_levels;
};

/* Default 32-bit window of the fakes: 16 MiB, 4096 TCEs of 4K */
#define FAKE_TCE32_SIZE	(16U << 20)
/* 64-bit windows of the fakes start at 2^59, as on IODA2 */
#define FAKE_DDW_BASE	BIT_ULL(59)

/* A group with the default window and dynamic windows (what v2 needs) */
extern const struct fake_tce_opts fake_tce_ddw_opts;
/* The same on pseries: hv tables of one level */
extern const struct fake_tce_opts fake_tce_pseries_opts;

struct fake_tce_group *fake_tce_group_new(struct kunit *test,
					  const struct fake_tce_opts *opts);
/* The kinds of table a parameterised case runs on: exchange, hv */
extern const bool fake_tce_platforms[2];
void fake_tce_platform_desc(const bool *hv, char *desc);
/*
 * Defines fake_tce_platform_gen_params() in the suite file that uses it,
 * for KUNIT_CASE_PARAM(): each case once on exchange tables (with
 * tce_kill, like powernv) and once on hv tables (like pseries). Through
 * KUNIT_ARRAY_PARAM(), so that the generator has the signature of the
 * KUnit it is built with.
 */
#define FAKE_TCE_PLATFORM_PARAMS() \
	KUNIT_ARRAY_PARAM(fake_tce_platform, fake_tce_platforms, \
			  fake_tce_platform_desc)
bool fake_tce_param_hv(struct kunit *test);
enum dma_data_direction fake_tce_dir(struct iommu_table *tbl,
				     unsigned long entry);
unsigned long fake_tce_get(struct iommu_table *tbl, unsigned long entry);
unsigned long fake_tce_user_view(struct iommu_table *tbl, unsigned long entry);
unsigned long fake_tce_live(struct iommu_table *tbl);

#endif /* VFIO_SPAPR_TCE_FAKE_H */

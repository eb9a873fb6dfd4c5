// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr_race: several threads on one sPAPR TCE container at once. Each
 * case runs its threads for a few seconds, checks every call's errno
 * against the ones that case allows, then checks that the container
 * still works (edu DMA through a fresh mapping, where the case has the
 * device) and, once every fd is closed, that VmLck and the system's
 * FOLL_PIN count are back where they started. The console (lockdep,
 * DEBUG_ATOMIC_SLEEP, KASAN) is judged by the host.
 *
 *   spapr_race TAG BDF SECONDS [CASE...]
 *
 * TAG names the backend in the result lines ("ours", "upstream"); CASE
 * picks the cases whose name starts with it (default: all). Prints per case and thread how
 * many calls returned what, and "VST-RESULT race_<case>_<check> PASS|
 * FAIL [detail]" lines. Exits 1 if a check failed.
 *
 * The case state_vs_release reads ours' debugfs state files while
 * containers come and go (ours only).
 *
 * The case teardown_vs_ioctl races the VFIO core's detach (which frees
 * the backend's data) with the backend's ioctl; it needs the core fix in
 * patches/ and crashes or warns an unpatched kernel with any backend.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio_edu.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define MAX_WORKERS	4
#define MAX_ERRNO	160
/* Pages of the buffer each case maps from, and that a thread owns */
#define BUF_PAGES	64
#define SLICE_PAGES	14

/**
 * struct race - the run
 * @tag: the backend's name in the result lines
 * @bdf: the edu device
 * @group: /dev/vfio path of its group
 * @psz: the system page size
 * @secs: how long each case's threads run
 * @lck0: VmLck (kB) at start
 * @pin0: pages pinned system-wide at start
 * @failures: checks that failed
 */
struct race {
	const char *tag, *bdf;
	char group[PATH_MAX];
	unsigned long psz;
	int secs;
	long lck0;
	long long pin0;
	int failures;
};

/**
 * struct box - a container with one group, the device if asked for
 * @c: container fd
 * @g: group fd
 * @dev: device fd, or -1
 * @e: the edu device on @dev
 * @v2: the container is VFIO_SPAPR_TCE_v2_IOMMU
 * @start: bus address of the default window
 * @size: its size
 * @iop_shift: the IOMMU page shift for a created window
 * @buf: BUF_PAGES system pages, registered on v2
 */
struct box {
	int c, g, dev;
	struct edu e;
	int v2;
	u64 start, size;
	unsigned int iop_shift;
	u8 *buf;
};

struct worker;

/**
 * struct op - one kind of call a worker makes
 * @name: for the counts
 * @allowed: errnos this call may return besides success, 0-terminated
 */
struct op {
	const char *name;
	int allowed[8];
};

/**
 * struct worker - one thread of a case
 * @t: the thread
 * @b: the case's container
 * @r: the run
 * @id: index in the case
 * @seed: its random state
 * @fn: what it does once per round; returns nothing, records its calls
 * @calls: calls made, per op of the case
 * @errs: how many returned each errno, per op
 * @bad: calls that returned an errno not allowed
 * @first_bad: the first of those
 * @arg: per-case state
 */
struct worker {
	pthread_t t;
	struct box *b;
	struct race *r;
	int id;
	unsigned long long seed;
	void (*fn)(struct worker *w);
	unsigned long calls[4];
	unsigned long errs[4][MAX_ERRNO];
	unsigned long bad;
	char first_bad[96];
	void *arg;
};

static int stop;
static const struct op *case_ops;

static unsigned long rnd(struct worker *w, unsigned long n)
{
	w->seed ^= w->seed >> 12;
	w->seed ^= w->seed << 25;
	w->seed ^= w->seed >> 27;
	return (w->seed * 0x2545f4914f6cdd1dULL >> 33) % n;
}

/* Count call @op's return @ret (0 or -1 with errno) for worker @w */
static void note(struct worker *w, int op, int ret)
{
	int e = ret ? errno : 0, i;

	w->calls[op]++;
	/* errnos past the table share its last slot, never success's */
	w->errs[op][e < MAX_ERRNO ? e : MAX_ERRNO - 1]++;
	if (!e)
		return;
	for (i = 0; case_ops[op].allowed[i]; i++)
		if (case_ops[op].allowed[i] == e)
			return;
	if (!w->bad++)
		snprintf(w->first_bad, sizeof(w->first_bad), "%s %s",
			 case_ops[op].name, err_name(-1, e));
}

static void check(struct race *r, const char *cname, const char *what,
		  int ok, const char *fmt, ...)
{
	char detail[160] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("VST-RESULT race_%s_%s %s %s\n", cname, what,
	       ok ? "PASS" : "FAIL", detail);
	fflush(stdout);
	if (!ok)
		r->failures++;
}

static void box_close(struct box *b)
{
	if (b->dev >= 0)
		close(b->dev);
	if (b->g >= 0)
		close(b->g);
	if (b->c >= 0)
		close(b->c);
	b->dev = -1;
	b->g = -1;
	b->c = -1;
	if (b->buf)
		munmap(b->buf, BUF_PAGES * sysconf(_SC_PAGESIZE));
	b->buf = NULL;
}

/*
 * A container of type v1 or v2 holding the edu's group, in QEMU's order,
 * with BUF_PAGES of anonymous memory (registered on v2; v1 enabled), the
 * device opened when @dev. 0 or the step that failed.
 */
static const char *box_open(struct race *r, struct box *b, int v2, int dev)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	size_t len = BUF_PAGES * r->psz;

	memset(b, 0, sizeof(*b));
	b->v2 = v2;
	b->c = -1;
	b->g = -1;
	b->dev = -1;
	b->buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->buf == MAP_FAILED) {
		b->buf = NULL;
		return "mmap";
	}
	memset(b->buf, 0x5a, len);
	b->c = open("/dev/vfio/vfio", O_RDWR);
	if (b->c < 0)
		return "open container";
	b->g = open(r->group, O_RDWR);
	if (b->g < 0)
		return "open group";
	if (ioctl(b->g, VFIO_GROUP_SET_CONTAINER, &b->c))
		return "SET_CONTAINER";
	if (ioctl(b->c, VFIO_SET_IOMMU,
		  v2 ? VFIO_SPAPR_TCE_v2_IOMMU : VFIO_SPAPR_TCE_IOMMU))
		return "SET_IOMMU";
	if (ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info))
		return "GET_INFO";
	b->start = info.dma32_window_start;
	b->size = info.dma32_window_size;
	/* A created window's IOMMU page: the system page, at most 64K */
	b->iop_shift = r->psz > 65536 ? 16 : __builtin_ctzl(r->psz);
	if (v2 && !(info.ddw.pgsizes & (1ULL << b->iop_shift)))
		b->iop_shift = 12;
	if (v2 && prereg(b->c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, b->buf, len))
		return "REGISTER";
	if (!v2 && ioctl(b->c, VFIO_IOMMU_ENABLE))
		return "ENABLE";
	if (!dev)
		return NULL;
	b->dev = ioctl(b->g, VFIO_GROUP_GET_DEVICE_FD, r->bdf);
	if (b->dev < 0)
		return "GET_DEVICE_FD";
	errno = EIO;
	if (edu_open(&b->e, b->dev))
		return "edu_open";
	return NULL;
}

/* Bus address of system page @i of the buffer in the default window */
static u64 iova_of(struct race *r, struct box *b, unsigned long i)
{
	return b->start + i * r->psz;
}

/*
 * The container still works: map two fresh pages, copy through the
 * device from one to the other, unmap. 0 or the step that failed.
 */
static const char *box_dma(struct race *r, struct box *b)
{
	u64 src = iova_of(r, b, 0), dst = iova_of(r, b, 1);
	int rc;

	if (dma_map(b->c, b->buf, src, r->psz))
		return "MAP src";
	if (dma_map(b->c, b->buf + r->psz, dst, r->psz)) {
		dma_unmap(b->c, src, r->psz);
		return "MAP dst";
	}
	rc = edu_round_trip(&b->e, b->buf, src, b->buf + r->psz, dst,
			    EDU_BUF_MAX, 7);
	if (dma_unmap(b->c, src, 2 * r->psz))
		return "UNMAP";
	return rc ? "DMA" : NULL;
}

static void *worker_main(void *p)
{
	struct worker *w = p;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
		w->fn(w);
	return NULL;
}

/*
 * Run @n workers (their fn set) on @b for the run's seconds; print their
 * counts; check that every call returned an allowed errno and that
 * @need_ok of them (a mask of op indexes) succeeded at least once.
 */
static void run_workers(struct race *r, const char *cname, struct box *b,
			struct worker *ws, int n, unsigned int need_ok)
{
	unsigned long bad = 0, ok[4] = { 0 };
	const char *first = "";
	int i, op, e;

	__atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		ws[i].b = b;
		ws[i].r = r;
		ws[i].id = i;
		ws[i].seed = 0x9e3779b97f4a7c15ULL * (i + 1);
		pthread_create(&ws[i].t, NULL, worker_main, &ws[i]);
	}
	sleep(r->secs);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++)
		pthread_join(ws[i].t, NULL);

	for (i = 0; i < n; i++) {
		for (op = 0; op < 4 && case_ops[op].name; op++) {
			if (!ws[i].calls[op])
				continue;
			ok[op] += ws[i].errs[op][0];
			printf("RACE %s %s thread%d %s calls=%lu", r->tag,
			       cname, i, case_ops[op].name, ws[i].calls[op]);
			for (e = 0; e < MAX_ERRNO; e++)
				if (ws[i].errs[op][e])
					printf(" %s=%lu", err_name(e ? -1 : 0, e),
					       ws[i].errs[op][e]);
			printf("\n");
		}
		if (ws[i].bad && !bad)
			first = ws[i].first_bad;
		bad += ws[i].bad;
	}
	check(r, cname, "errnos", !bad, "%lu unexpected%s%s", bad,
	      bad ? ", first " : "", first);
	for (op = 0; op < 4; op++)
		if (need_ok & (1u << op))
			check(r, cname, case_ops[op].name, ok[op] > 0,
			      "%lu succeeded", ok[op]);
}

/*
 * Close everything; VmLck and the pinned pages must come back (a v2
 * region's pages go in an RCU callback: wait up to 2 s).
 */
static void close_and_count(struct race *r, const char *cname,
			    struct box *b)
{
	long long pins;
	long lck;
	int i;

	box_close(b);
	for (i = 0; i < 200; i++) {
		pins = foll_pins() - r->pin0;
		lck = vmlck_kb() - r->lck0;
		if (!pins && !lck)
			break;
		usleep(10000);
	}
	check(r, cname, "vmlck", !lck, "%+ld kB", lck);
	check(r, cname, "pins", !pins, "%+lld pages", pins);
}

/* Open the case's box, or fail the case; 0 if it is open */
static int setup(struct race *r, const char *cname, struct box *b, int v2,
		 int dev)
{
	const char *step = box_open(r, b, v2, dev);

	if (!step)
		return 0;
	check(r, cname, "setup", 0, "%s %s", step, err_name(-1, errno));
	box_close(b);
	return -1;
}

/* After the threads: the device still reaches memory through new TCEs */
static void still_works(struct race *r, const char *cname, struct box *b)
{
	const char *step = box_dma(r, b);

	check(r, cname, "dma_after", !step, "%s%s%s", step ? step : "0",
	      step ? " " : "", step ? err_name(-1, errno) : "");
}

/* Cases of map/unmap from every thread: op 0 MAP, op 1 UNMAP */
static const struct op overlap_ops[] = {
	/* over an entry another thread mapped */
	{ "MAP", { EBUSY } },
	{ "UNMAP", { 0 } },
	{ NULL },
};

/* Each thread its own slice: nothing may fail */
static const struct op disjoint_ops[] = {
	{ "MAP", { 0 } },
	{ "UNMAP", { 0 } },
	{ NULL },
};

/* Each thread maps and unmaps its own slice; every call must succeed */
static void disjoint_round(struct worker *w)
{
	unsigned long first = 2 + w->id * SLICE_PAGES;
	u64 iova = iova_of(w->r, w->b, first);
	u64 len = SLICE_PAGES * w->r->psz;

	note(w, 0, dma_map(w->b->c, w->b->buf + first * w->r->psz, iova, len));
	note(w, 1, dma_unmap(w->b->c, iova, len));
}

/*
 * Threads map and unmap random ranges of one area: a MAP over an entry
 * another thread mapped is EBUSY, nothing else may fail.
 */
static void overlap_round(struct worker *w)
{
	unsigned long first = 2 + rnd(w, 24), n = 1 + rnd(w, 8);
	u64 iova = iova_of(w->r, w->b, first);

	if (rnd(w, 2))
		note(w, 0, dma_map(w->b->c, w->b->buf + first * w->r->psz,
				   iova, n * w->r->psz));
	else
		note(w, 1, dma_unmap(w->b->c, iova, n * w->r->psz));
}

static void case_map(struct race *r, const char *cname, int v2,
		     void (*round)(struct worker *w), const struct op *ops)
{
	struct worker ws[MAX_WORKERS] = { 0 };
	u64 all = (BUF_PAGES - 2) * r->psz;
	struct box b;
	int i, rc;

	if (setup(r, cname, &b, v2, 1))
		return;
	case_ops = ops;
	for (i = 0; i < MAX_WORKERS; i++)
		ws[i].fn = round;
	run_workers(r, cname, &b, ws, MAX_WORKERS, 0x3);
	/* Nothing stays mapped, nothing was lost: all of it maps again */
	rc = dma_unmap(b.c, iova_of(r, &b, 2), all);
	check(r, cname, "unmap_all", !rc, "%s", err_name(rc, errno));
	rc = dma_map(b.c, b.buf + 2 * r->psz, iova_of(r, &b, 2), all);
	check(r, cname, "map_all_after", !rc, "%s", err_name(rc, errno));
	dma_unmap(b.c, iova_of(r, &b, 2), all);
	still_works(r, cname, &b);
	close_and_count(r, cname, &b);
}

/*
 * REGISTER/UNREGISTER of a second region racing with MAP/UNMAP through
 * it: op 0 MAP, 1 UNMAP, 2 REGISTER, 3 UNREGISTER.
 */
static const struct op reg_ops[] = {
	/* not registered; being unregistered; the other thread's entry */
	{ "MAP", { EINVAL, ENXIO, EBUSY } },
	{ "UNMAP", { 0 } },
	/* registered already by this container */
	{ "REGISTER", { EBUSY } },
	/* still mapped; not registered */
	{ "UNREGISTER", { EBUSY, ENOENT } },
};

/**
 * struct region - a second buffer, registered and unregistered by a case
 * @va: its address
 * @len: its size
 */
struct region {
	u8 *va;
	size_t len;
};

static void reg_round(struct worker *w)
{
	struct region *rg = w->arg;

	if (rnd(w, 2))
		note(w, 2, prereg(w->b->c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY,
				  rg->va, rg->len));
	else
		note(w, 3, prereg(w->b->c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
				  rg->va, rg->len));
}

static void reg_map_round(struct worker *w)
{
	struct region *rg = w->arg;
	unsigned long i = rnd(w, rg->len / w->r->psz);
	u64 iova = iova_of(w->r, w->b, 2 + i);

	note(w, 0, dma_map(w->b->c, rg->va + i * w->r->psz, iova, w->r->psz));
	note(w, 1, dma_unmap(w->b->c, iova, w->r->psz));
}

static void case_register_vs_map(struct race *r)
{
	const char *cname = "register_vs_map_v2";
	struct worker ws[3] = { 0 };
	struct region rg;
	struct box b;
	int i, rc;

	if (setup(r, cname, &b, 1, 1))
		return;
	rg.len = 16 * r->psz;
	rg.va = mmap(NULL, rg.len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rg.va == MAP_FAILED) {
		check(r, cname, "setup", 0, "mmap");
		box_close(&b);
		return;
	}
	memset(rg.va, 1, rg.len);
	case_ops = reg_ops;
	for (i = 0; i < 3; i++) {
		ws[i].fn = i ? reg_map_round : reg_round;
		ws[i].arg = &rg;
	}
	run_workers(r, cname, &b, ws, 3, 0xf);
	dma_unmap(b.c, iova_of(r, &b, 2), rg.len);
	rc = prereg(b.c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, rg.va, rg.len);
	check(r, cname, "unregister_after", !rc || errno == ENOENT, "%s",
	      err_name(rc, errno));
	still_works(r, cname, &b);
	munmap(rg.va, rg.len);
	close_and_count(r, cname, &b);
}

/*
 * TCE_CREATE/REMOVE of a second window racing with MAP/UNMAP into it and
 * into the default window: op 0 MAP and UNMAP in the second window, 1
 * MAP and UNMAP in the default window (must always work), 2 CREATE and
 * REMOVE.
 */
static const struct op window_ops[] = {
	/* no window there; the other mapper's entry */
	{ "MAP_UNMAP2", { ENXIO, EBUSY } },
	{ "MAP_UNMAP_DEFAULT", { 0 } },
	{ "CREATE_REMOVE", { 0 } },
	{ NULL },
};

static void window_round(struct worker *w)
{
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = w->b->iop_shift,
		.window_size = 1ULL << 30, .levels = 1,
	};
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	u64 *start = w->arg;
	int rc;

	rc = ioctl(w->b->c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
	if (!rc) {
		if (cr.start_addr != *start) {
			errno = EFAULT;	/* reported as a wrong start */
			rc = -1;
		}
		rm.start_addr = cr.start_addr;
		if (ioctl(w->b->c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm) && !rc)
			rc = -1;
	}
	note(w, 2, rc);
}

static void window_map_round(struct worker *w)
{
	u64 *start = w->arg;
	unsigned long i = rnd(w, 8);
	u64 iova = *start + i * w->r->psz;

	note(w, 0, dma_map(w->b->c, w->b->buf + (2 + i) * w->r->psz, iova,
			   w->r->psz));
	note(w, 0, dma_unmap(w->b->c, iova, w->r->psz));
}

static void window_default_round(struct worker *w)
{
	unsigned long i = 16 + rnd(w, 8);
	u64 iova = iova_of(w->r, w->b, i);

	note(w, 1, dma_map(w->b->c, w->b->buf + i * w->r->psz, iova,
			   w->r->psz));
	note(w, 1, dma_unmap(w->b->c, iova, w->r->psz));
}

static void case_create_vs_map(struct race *r)
{
	const char *cname = "create_vs_map_v2";
	struct vfio_iommu_spapr_tce_create cr = { .argsz = sizeof(cr) };
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	struct worker ws[4] = { 0 };
	struct box b;
	u64 start;
	int i, rc;

	if (setup(r, cname, &b, 1, 1))
		return;
	/* Where the second window goes: create it once and look */
	cr.page_shift = b.iop_shift;
	cr.window_size = 1ULL << 30;
	cr.levels = 1;
	rc = ioctl(b.c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
	rm.start_addr = cr.start_addr;
	if (rc || ioctl(b.c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm)) {
		check(r, cname, "setup", 0, "first CREATE/REMOVE %s",
		      err_name(-1, errno));
		box_close(&b);
		return;
	}
	start = cr.start_addr;
	case_ops = window_ops;
	for (i = 0; i < 4; i++) {
		ws[i].fn = i == 0 ? window_round :
			   i == 3 ? window_default_round : window_map_round;
		ws[i].arg = &start;
	}
	run_workers(r, cname, &b, ws, 4, 0x7);
	still_works(r, cname, &b);
	close_and_count(r, cname, &b);
}

/*
 * The VFIO core's detach (UNSET_CONTAINER, or the close of the last
 * group) releasing the backend's data while other threads are inside the
 * backend's ioctl: op 0 the container ioctls, 1 UNSET_CONTAINER and
 * attach again, 2 close the group and attach it again. Without a backend
 * (between the detach and SET_IOMMU) the core says EINVAL; a backend
 * that is there answers as it does when called out of order.
 */
static const struct op teardown_ops[] = {
	{ "CONTAINER_IOCTL", { EINVAL, EPERM, EBUSY, ENOENT, ENXIO, ENODEV,
			       ENOTTY } },
	{ "UNSET_ATTACH", { 0 } },
	{ "CLOSE_ATTACH", { 0 } },
	{ NULL },
};

static void teardown_ioctl_round(struct worker *w)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct box *b = w->b;
	u64 iova = b->start + (2 + w->id) * w->r->psz;
	/* A page of its own, outside what the box registered */
	u8 *va = (u8 *)w->arg + w->id * w->r->psz;

	if (b->v2) {
		note(w, 0, prereg(b->c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, va,
				  w->r->psz));
		note(w, 0, dma_map(b->c, va, iova, w->r->psz));
		note(w, 0, dma_unmap(b->c, iova, w->r->psz));
		note(w, 0, prereg(b->c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
				  va, w->r->psz));
	} else {
		note(w, 0, ioctl(b->c, VFIO_IOMMU_ENABLE));
		note(w, 0, dma_map(b->c, va, iova, w->r->psz));
		note(w, 0, dma_unmap(b->c, iova, w->r->psz));
		note(w, 0, ioctl(b->c, VFIO_IOMMU_DISABLE));
	}
	note(w, 0, ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info));
}

/*
 * Detach and attach again: UNSET_CONTAINER, or close the group (its last
 * one: the container loses its backend) and open it again.
 */
static void teardown_detach_round(struct worker *w)
{
	struct box *b = w->b;
	int type = b->v2 ? VFIO_SPAPR_TCE_v2_IOMMU : VFIO_SPAPR_TCE_IOMMU;
	/* In turn, the close first: a slow case still meets both */
	int op = 2 - (w->calls[2] > w->calls[1]);

	if (op == 1) {
		note(w, op, ioctl(b->g, VFIO_GROUP_UNSET_CONTAINER));
	} else {
		/* Its last fd: the core detaches it. The others use only c */
		close(b->g);
		b->g = open(w->r->group, O_RDWR);
		note(w, op, b->g < 0 ? -1 : 0);
		if (b->g < 0)
			return;
	}
	note(w, op, ioctl(b->g, VFIO_GROUP_SET_CONTAINER, &b->c));
	note(w, op, ioctl(b->c, VFIO_SET_IOMMU, type));
}

static void case_teardown(struct race *r, int v2)
{
	const char *cname = v2 ? "teardown_vs_ioctl_v2" : "teardown_vs_ioctl_v1";
	struct worker ws[3] = { 0 };
	size_t len = 2 * r->psz;
	struct box b;
	u8 *own;
	int i;

	if (setup(r, cname, &b, v2, 0))
		return;
	own = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (own == MAP_FAILED) {
		check(r, cname, "setup", 0, "mmap");
		box_close(&b);
		return;
	}
	memset(own, 3, len);
	case_ops = teardown_ops;
	for (i = 0; i < 3; i++) {
		ws[i].fn = i == 2 ? teardown_detach_round : teardown_ioctl_round;
		ws[i].arg = own;
	}
	/* v2 detaches slowly (a second or more each under KASAN) */
	run_workers(r, cname, &b, ws, 3, v2 ? 0x5 : 0x7);
	close_and_count(r, cname, &b);
	munmap(own, len);
}

/*
 * Readers of ours' debugfs state against containers being made and
 * released: op 0 a reader reads every container's state file (gone
 * between the listing and the open, ENOENT; removed while open, EIO),
 * op 1 the other thread opens a v2 container with the group and its
 * registered memory (so that there is something to show) and closes it.
 */
#define STATE_DIR	"/sys/kernel/debug/vfio_spapr_tce"

static const struct op state_ops[] = {
	{ "READ_STATE", { ENOENT, EIO } },
	{ "OPEN_CLOSE", { 0 } },
	{ NULL },
};

static void state_read_round(struct worker *w)
{
	char path[PATH_MAX], buf[4096];
	struct dirent *de;
	DIR *d = opendir(STATE_DIR);
	ssize_t n;
	int fd;

	if (!d) {
		note(w, 0, -1);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), STATE_DIR "/%s/state", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			note(w, 0, -1);
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		note(w, 0, n < 0 ? -1 : 0);
		close(fd);
	}
	closedir(d);
}

static void state_open_close_round(struct worker *w)
{
	struct box b;
	const char *step = box_open(w->r, &b, 1, 0);

	note(w, 1, step ? -1 : 0);
	box_close(&b);
}

static void case_state_vs_release(struct race *r)
{
	const char *cname = "state_vs_release_v2";
	struct worker ws[3] = { 0 };
	struct box none = { .c = -1, .g = -1, .dev = -1 };
	int i;

	if (access(STATE_DIR, R_OK)) {
		check(r, cname, "setup", 0, "%s: %s", STATE_DIR,
		      err_name(-1, errno));
		return;
	}
	case_ops = state_ops;
	for (i = 0; i < 3; i++)
		ws[i].fn = i == 2 ? state_open_close_round : state_read_round;
	run_workers(r, cname, &none, ws, 3, 0x3);
	close_and_count(r, cname, &none);
}

static void map_disjoint_v1(struct race *r)
{
	case_map(r, "map_disjoint_v1", 0, disjoint_round, disjoint_ops);
}

static void map_disjoint_v2(struct race *r)
{
	case_map(r, "map_disjoint_v2", 1, disjoint_round, disjoint_ops);
}

static void map_overlap_v1(struct race *r)
{
	case_map(r, "map_overlap_v1", 0, overlap_round, overlap_ops);
}

static void map_overlap_v2(struct race *r)
{
	case_map(r, "map_overlap_v2", 1, overlap_round, overlap_ops);
}

static void teardown_v1(struct race *r)
{
	case_teardown(r, 0);
}

static void teardown_v2(struct race *r)
{
	case_teardown(r, 1);
}

static const struct {
	const char *name;
	void (*run)(struct race *r);
} cases[] = {
	{ "map_disjoint_v1", map_disjoint_v1 },
	{ "map_disjoint_v2", map_disjoint_v2 },
	{ "map_overlap_v1", map_overlap_v1 },
	{ "map_overlap_v2", map_overlap_v2 },
	{ "register_vs_map_v2", case_register_vs_map },
	{ "create_vs_map_v2", case_create_vs_map },
	/* Ours only: its debugfs state */
	{ "state_vs_release_v2", case_state_vs_release },
	/* Last: on an unpatched VFIO core it corrupts the kernel */
	{ "teardown_vs_ioctl_v1", teardown_v1 },
	{ "teardown_vs_ioctl_v2", teardown_v2 },
};

/* Run the cases whose name starts with @prefix; none is a failure */
static void run_cases(struct race *r, const char *prefix)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (strncmp(cases[i].name, prefix, strlen(prefix)))
			continue;
		cases[i].run(r);
		n++;
	}
	if (!n)
		check(r, prefix, "known", 0, "no such case");
}

int main(int argc, char **argv)
{
	struct race r = { 0 };
	int i;

	if (argc < 4) {
		fprintf(stderr, "usage: %s TAG BDF SECONDS [CASE...]\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	r.tag = argv[1];
	r.bdf = argv[2];
	r.secs = atoi(argv[3]);
	r.psz = sysconf(_SC_PAGESIZE);
	if (group_of(r.bdf, r.group, sizeof(r.group))) {
		perror("iommu_group");
		return 2;
	}
	r.lck0 = vmlck_kb();
	r.pin0 = foll_pins();
	if (argc == 4)
		run_cases(&r, "");
	for (i = 4; i < argc; i++)
		run_cases(&r, argv[i]);
	printf("SUMMARY race %s: %d failed\n", r.tag, r.failures);
	return r.failures ? 1 : 0;
}

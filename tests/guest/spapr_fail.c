// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr_fail: fail the Nth allocation or user copy of one call, for N = 1,
 * 2, ... until the call runs through untouched, on every path of an sPAPR
 * TCE container. The kernel's fault injection does the failing
 * (/proc/thread-self/fail-nth: failslab, fail_page_alloc and fail_usercopy,
 * set up by the guest's /init to count sleeping allocations too).
 *
 *   spapr_fail TAG BDF BDF2 [PATH...]
 *
 * For each path and N: build the state the call needs (no faults), arm
 * fail-nth, make the call, disarm. The call must succeed or fail with one
 * of the errnos that path may give when the kernel is short of memory or
 * the copy faults. Failed, the same call made again without a fault must
 * succeed (nothing half done is left behind: no entry still mapped, no
 * region half registered, no window half made or half removed);
 * succeeded although a fault fired, it must have done all of its work
 * (made again, it answers what a call already done answers). After every
 * fd is closed, VmLck and the system's FOLL_PIN count are back where they
 * started. A path must meet at least the fault points it is known to
 * have, so that a sweep that stopped injecting would show. The console
 * (kmemleak, lockdep, KASAN) is judged by the host. Prints
 * "VST-RESULT fail_<path>_<check> PASS|FAIL detail".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio_edu.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define BUF_PAGES	16
#define MAX_ERRNO	160
#define MAP_PAGES	4
/* A path takes a few hundred fault points at most; stop well past that */
#define MAX_NTH		3000

/**
 * struct run - the whole sweep
 * @tag: the backend's name in the result lines
 * @group: /dev/vfio path of the edu's group
 * @group2: the second edu's group
 * @psz: the system page size
 * @buf: BUF_PAGES pages of anonymous memory, touched
 * @fail_fd: /proc/thread-self/fail-nth
 * @lck0: VmLck (kB) at start
 * @pin0: pages pinned system-wide at start
 * @failures: checks that failed
 */
struct run {
	const char *tag;
	char group[PATH_MAX], group2[PATH_MAX];
	unsigned long psz;
	u8 *buf;
	int fail_fd;
	long lck0;
	long long pin0;
	int failures;
};

/**
 * struct state - what one attempt opened
 * @c: container fd
 * @g: group fd
 * @g2: second group fd, or -1
 * @v2: the container is v2
 * @start: bus address of the default window
 * @win2: bus address of a created window, or 0
 * @iop_shift: IOMMU page shift of a created window
 */
struct state {
	int c, g, g2, v2;
	u64 start, win2;
	unsigned int iop_shift;
};

/**
 * struct path - one call under test
 * @name: the path's name
 * @v2: container type the state is built for
 * @prep: build the state the call needs; 0 or -1
 * @call: the call; its return (0 or -1 with errno)
 * @done: what the call answers once it has been done: 0 (it may be done
 *	twice), an errno, or -1 (it cannot be made again: open, release)
 * @min_points: fault points the call has at least
 * @errnos: the errnos a failed call may return, 0-terminated
 */
struct path {
	const char *name;
	int v2;
	int (*prep)(struct run *r, struct state *s);
	int (*call)(struct run *r, struct state *s);
	int done;
	unsigned int min_points;
	int errnos[4];
};

static void check(struct run *r, const char *path, const char *what, int ok,
		  const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("VST-RESULT fail_%s_%s %s %s\n", path, what,
	       ok ? "PASS" : "FAIL", detail);
	if (!ok)
		r->failures++;
}

/* Arm fail-nth: the @nth fault point of this thread fails */
static int arm(struct run *r, unsigned int nth)
{
	char num[16];
	int n = snprintf(num, sizeof(num), "%u", nth);

	return pwrite(r->fail_fd, num, n, 0) == n ? 0 : -1;
}

/*
 * Disarm; whether the armed fault fired. Reading gives what is left of
 * the count (0: it fired); the read's own copy out may take the last
 * point (EFAULT: it had not fired). Writing 0 ends the count either way.
 */
static int disarm(struct run *r)
{
	char num[16] = "";
	ssize_t n = pread(r->fail_fd, num, sizeof(num) - 1, 0);
	int fired = n > 0 && atoi(num) == 0;

	if (pwrite(r->fail_fd, "0", 1, 0) != 1)
		pwrite(r->fail_fd, "0", 1, 0);
	return fired;
}

static void state_close(struct state *s)
{
	if (s->g2 >= 0)
		close(s->g2);
	if (s->g >= 0)
		close(s->g);
	if (s->c >= 0)
		close(s->c);
	s->g2 = -1;
	s->g = -1;
	s->c = -1;
}

/* The container fd and the first group in it, no backend yet */
static int prep_attached(struct run *r, struct state *s)
{
	s->c = open("/dev/vfio/vfio", O_RDWR);
	s->g = open(r->group, O_RDWR);
	if (s->c < 0 || s->g < 0)
		return -1;
	return ioctl(s->g, VFIO_GROUP_SET_CONTAINER, &s->c);
}

static int call_set_iommu(struct run *r, struct state *s)
{
	(void)r;
	return ioctl(s->c, VFIO_SET_IOMMU,
		     s->v2 ? VFIO_SPAPR_TCE_v2_IOMMU : VFIO_SPAPR_TCE_IOMMU);
}

/* A container of the path's type with its backend; GET_INFO read */
static int prep_container(struct run *r, struct state *s)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };

	if (prep_attached(r, s) || call_set_iommu(r, s) ||
	    ioctl(s->c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info))
		return -1;
	s->start = info.dma32_window_start;
	s->iop_shift = r->psz > 65536 ? 16 : __builtin_ctzl(r->psz);
	if (!(info.ddw.pgsizes & (1ULL << s->iop_shift)))
		s->iop_shift = 12;
	return 0;
}

static int call_open(struct run *r, struct state *s)
{
	(void)r;
	s->c = open("/dev/vfio/vfio", O_RDWR);
	return s->c < 0 ? -1 : 0;
}

static int prep_nothing(struct run *r, struct state *s)
{
	(void)r;
	(void)s;
	return 0;
}

static int call_attach2(struct run *r, struct state *s)
{
	if (s->g2 < 0)
		s->g2 = open(r->group2, O_RDWR);
	if (s->g2 < 0)
		return -1;
	return ioctl(s->g2, VFIO_GROUP_SET_CONTAINER, &s->c);
}

static int call_enable(struct run *r, struct state *s)
{
	(void)r;
	return ioctl(s->c, VFIO_IOMMU_ENABLE);
}

static int prep_enabled(struct run *r, struct state *s)
{
	return prep_container(r, s) || call_enable(r, s) ? -1 : 0;
}

static int call_register(struct run *r, struct state *s)
{
	return prereg(s->c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, r->buf,
		      BUF_PAGES * r->psz);
}

static int prep_registered(struct run *r, struct state *s)
{
	return prep_container(r, s) || call_register(r, s) ? -1 : 0;
}

static int call_map(struct run *r, struct state *s)
{
	return dma_map(s->c, r->buf, s->start, MAP_PAGES * r->psz);
}

static int prep_mapped_v1(struct run *r, struct state *s)
{
	return prep_enabled(r, s) || call_map(r, s) ? -1 : 0;
}

static int prep_mapped_v2(struct run *r, struct state *s)
{
	return prep_registered(r, s) || call_map(r, s) ? -1 : 0;
}

/* UNMAP, then MAP the same range: it must be free again */
static int call_unmap(struct run *r, struct state *s)
{
	return dma_unmap(s->c, s->start, MAP_PAGES * r->psz);
}

static int call_create(struct run *r, struct state *s)
{
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = s->iop_shift,
		.window_size = 1ULL << 30, .levels = 1,
	};
	int rc;

	(void)r;
	rc = ioctl(s->c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
	if (!rc)
		s->win2 = cr.start_addr;
	return rc;
}

/* A second window, with entries mapped in it */
static int prep_created(struct run *r, struct state *s)
{
	if (prep_mapped_v2(r, s) || call_create(r, s))
		return -1;
	return dma_map(s->c, r->buf + MAP_PAGES * r->psz, s->win2,
		       MAP_PAGES * r->psz);
}

static int call_remove(struct run *r, struct state *s)
{
	struct vfio_iommu_spapr_tce_remove rm = {
		.argsz = sizeof(rm), .start_addr = s->win2,
	};

	(void)r;
	return ioctl(s->c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
}

/* The last group's close: detach, clear and release, take windows back */
static int call_release(struct run *r, struct state *s)
{
	(void)r;
	close(s->g);
	s->g = -1;
	return 0;
}

#define E_MEM	{ ENOMEM, EFAULT }
static const struct path paths[] = {
	{ "open", 0, prep_nothing, call_open, -1, 1, E_MEM },
	{ "set_iommu_v1", 0, prep_attached, call_set_iommu, EINVAL, 1,
	  { ENOMEM, EFAULT, ENODEV } },
	{ "set_iommu_v2", 1, prep_attached, call_set_iommu, EINVAL, 1,
	  { ENOMEM, EFAULT, ENODEV } },
	{ "attach_second_v2", 1, prep_container, call_attach2, EINVAL, 1,
	  E_MEM },
	{ "enable_v1", 0, prep_container, call_enable, EBUSY, 0, E_MEM },
	{ "map_v1", 0, prep_enabled, call_map, EBUSY, 1, E_MEM },
	{ "unmap_v1", 0, prep_mapped_v1, call_unmap, 0, 1, E_MEM },
	{ "register_v2", 1, prep_container, call_register, EBUSY, 1, E_MEM },
	{ "map_v2", 1, prep_registered, call_map, EBUSY, 1, E_MEM },
	{ "unmap_v2", 1, prep_mapped_v2, call_unmap, 0, 1, E_MEM },
	{ "create_v2", 1, prep_mapped_v2, call_create, ENOSPC, 1, E_MEM },
	{ "remove_v2", 1, prep_created, call_remove, EINVAL, 1, E_MEM },
	{ "release_v1", 0, prep_mapped_v1, call_release, -1, 1, E_MEM },
	{ "release_v2", 1, prep_created, call_release, -1, 1, E_MEM },
};

/* @err is one of the errnos path @p may fail with */
static int allowed(const struct path *p, int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p->errnos) && p->errnos[i]; i++)
		if (p->errnos[i] == err)
			return 1;
	return 0;
}

/* Back to the start once everything is closed (v2 regions go after RCU) */
static int leaks(struct run *r, long *lck, long long *pins)
{
	int i;

	for (i = 0; i < 200; i++) {
		*lck = vmlck_kb() - r->lck0;
		*pins = foll_pins() - r->pin0;
		if (!*lck && !*pins)
			return 0;
		usleep(10000);
	}
	return 1;
}

/* Keep the first thing that went wrong, with the N it went wrong at */
static void first_of(char *first, size_t len, unsigned int nth,
		     const char *what, int err)
{
	if (!first[0])
		snprintf(first, len, "N=%u %s %s", nth, what, err_name(-1, err));
}

static void sweep(struct run *r, const struct path *p)
{
	unsigned long absorbed = 0, failed = 0, bad_errno = 0, unusable = 0,
		      leaked = 0, hist[MAX_ERRNO] = { 0 };
	char first[128] = "", errs[128] = "";
	unsigned int nth, points;
	long long pins;
	int done = 0, e;
	size_t n = 0;
	long lck;

	for (nth = 1; nth <= MAX_NTH && !done; nth++) {
		struct state s = { .c = -1, .g = -1, .g2 = -1, .v2 = p->v2 };
		int rc, err, fired;

		if (p->prep(r, &s)) {
			check(r, p->name, "prep", 0, "N=%u %s", nth,
			      err_name(-1, errno));
			state_close(&s);
			return;
		}
		if (arm(r, nth)) {
			check(r, p->name, "arm", 0, "%s", err_name(-1, errno));
			state_close(&s);
			return;
		}
		rc = p->call(r, &s);
		err = errno;
		fired = disarm(r);
		if (!fired) {
			/* The call ran through: it must have worked */
			done = 1;
			check(r, p->name, "untouched", !rc, "N=%u %s", nth,
			      err_name(rc, err));
		} else if (!rc) {
			/* Absorbed: then all of it was done */
			absorbed++;
			if (p->done >= 0) {
				rc = p->call(r, &s);
				if (rc ? errno != p->done : p->done) {
					unusable++;
					first_of(first, sizeof(first), nth,
						 "absorbed, again", rc ? errno : 0);
				}
			}
		} else {
			failed++;
			hist[err < MAX_ERRNO ? err : 0]++;
			if (!allowed(p, err)) {
				bad_errno++;
				first_of(first, sizeof(first), nth, "errno",
					 err);
			}
			if (p->done >= 0 && p->call(r, &s)) {
				unusable++;
				first_of(first, sizeof(first), nth, "again",
					 errno);
			}
		}
		/* A freed range maps again */
		if (fired && p->call == call_unmap && call_map(r, &s)) {
			unusable++;
			first_of(first, sizeof(first), nth, "map after", errno);
		}
		state_close(&s);
		if (leaks(r, &lck, &pins)) {
			leaked++;
			if (!first[0])
				snprintf(first, sizeof(first),
					 "N=%u VmLck %+ld kB pins %+lld", nth,
					 lck, pins);
		}
	}
	points = nth - 2;
	for (e = 0; e < MAX_ERRNO && n < sizeof(errs); e++)
		if (hist[e])
			n += snprintf(errs + n, sizeof(errs) - n, " %s=%lu",
				      e ? err_name(-1, e) : "other", hist[e]);
	printf("FAIL-SWEEP %s %s points=%u failed=%lu absorbed=%lu%s\n",
	       r->tag, p->name, points, failed, absorbed, errs);
	check(r, p->name, "complete", done && points >= p->min_points,
	      "%u fault points (at least %u)", points, p->min_points);
	check(r, p->name, "errnos", !bad_errno,
	      "%lu failed,%s; %lu not allowed %s", failed, errs, bad_errno,
	      first);
	check(r, p->name, "usable", !unusable, "%lu %s", unusable, first);
	check(r, p->name, "no_leak", !leaked, "%lu %s", leaked, first);
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	unsigned int i;
	int j, ran = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: %s TAG BDF BDF2 [PATH...]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	r.tag = argv[1];
	r.psz = sysconf(_SC_PAGESIZE);
	if (group_of(argv[2], r.group, sizeof(r.group)) ||
	    group_of(argv[3], r.group2, sizeof(r.group2))) {
		perror("iommu_group");
		return 2;
	}
	r.fail_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (r.fail_fd < 0) {
		perror("fail-nth");
		return 2;
	}
	r.buf = mmap(NULL, BUF_PAGES * r.psz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r.buf == MAP_FAILED)
		return 2;
	memset(r.buf, 0x5a, BUF_PAGES * r.psz);
	r.lck0 = vmlck_kb();
	r.pin0 = foll_pins();
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		for (j = 4; j < argc; j++)
			if (!strcmp(argv[j], paths[i].name))
				break;
		if (argc > 4 && j == argc)
			continue;
		sweep(&r, &paths[i]);
		ran++;
	}
	if (!ran)
		check(&r, "paths", "known", 0, "no such path");
	printf("SUMMARY fail %s: %d failed\n", r.tag, r.failures);
	return r.failures ? 1 : 0;
}

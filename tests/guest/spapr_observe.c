// SPDX-License-Identifier: GPL-2.0-only
/*
 * What our backend shows of a container, checked against what this client
 * did: /sys/kernel/debug/vfio_spapr_tce/<id>/state and the vfio_spapr_tce
 * trace events. Ours only (upstream has neither).
 *
 *   spapr_observe BDF
 *
 * v2: REGISTER, the default window removed, a 1 GiB window made, pages
 * mapped; the state must name this process, the group, the window's
 * geometry, its mapped entries, the region and its mapped entries, the
 * pages pinned, and the locked_vm the process was charged (VmLck), by
 * cause; after UNMAP nothing mapped. The trace must hold one event per
 * call with its arguments and result, a refused MAP too. v1: ENABLE and a
 * MAP, pins and the ENABLE charge. After close the directory is gone.
 * Results: VST-RESULT obs_<ver>_<check> PASS|FAIL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio_edu.h"

#define DEBUGFS	"/sys/kernel/debug/vfio_spapr_tce"
#define TRACING	"/sys/kernel/tracing"

static const char *ver;
static int failures;

static void check(const char *name, int ok, const char *fmt, ...)
{
	char detail[512] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("VST-RESULT obs_%s_%s %s%s%s\n", ver, name, ok ? "PASS" : "FAIL",
	       ok ? "" : " ", ok ? "" : detail);
	fflush(stdout);
	failures += !ok;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/* The whole of a (debugfs or tracefs) file, NUL-terminated; free() it */
static char *read_all(const char *path)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
	}
	close(fd);
	if (buf)
		buf[len] = 0;
	return buf;
}

/*
 * The state of this process's container: the directory whose state names
 * this pid as its owner; its path in @dir
 */
static char *my_state(char *dir, size_t len)
{
	char want[64], path[512], *st;
	struct dirent *de;
	DIR *d = opendir(DEBUGFS);

	if (!d)
		return NULL;
	snprintf(want, sizeof(want), "owner: %d ", getpid());
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DEBUGFS "/%s/state", de->d_name);
		st = read_all(path);
		if (st && strstr(st, want)) {
			snprintf(dir, len, DEBUGFS "/%s", de->d_name);
			closedir(d);
			return st;
		}
		free(st);
	}
	closedir(d);
	return NULL;
}

/* my_state(), a check that it was found, and the state shown */
static char *found_state(char *dir, size_t len)
{
	char *st = my_state(dir, len);

	check("state_found", !!st, "no state names pid %d", getpid());
	if (st)
		printf("%s", st);
	return st;
}

/* The number after @key in @text, or -1 */
static long long field(const char *text, const char *key)
{
	const char *p = text ? strstr(text, key) : NULL;

	return p ? strtoll(p + strlen(key), NULL, 0) : -1;
}

/* Does the trace hold a line with every one of the NULL-ended words? */
static int traced(const char *trace, ...)
{
	const char *line = trace, *end, *w;
	va_list ap;
	int all;

	while (line && *line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		all = 1;
		va_start(ap, trace);
		while ((w = va_arg(ap, const char *))) {
			const char *f = strstr(line, w);

			if (!f || f >= end)
				all = 0;
		}
		va_end(ap);
		if (all)
			return 1;
		line = *end ? end + 1 : NULL;
	}
	return 0;
}

/*
 * The system's FOLL_PIN count once it stops moving: a v2 region closed
 * earlier (by this process or the one before) is unpinned by an RCU
 * callback, a little later. Unchanged over 200 ms, or 3 s at most.
 */
static long long settled_pins(void)
{
	long long now = foll_pins(), last = now - 1;
	int same = 0, i;

	for (i = 0; i < 60 && same < 4; i++) {
		usleep(50000);
		last = now;
		now = foll_pins();
		same = now == last ? same + 1 : 0;
	}
	return now;
}

static void dir_gone(const char *dir)
{
	struct stat sb;

	check("dir_gone_after_close", stat(dir, &sb) && errno == ENOENT,
	      "%s still there", dir);
}

static int open_container(const char *path, int type, int *g)
{
	int c = open("/dev/vfio/vfio", O_RDWR);

	*g = open(path, O_RDWR);
	if (c < 0 || *g < 0 || ioctl(*g, VFIO_GROUP_SET_CONTAINER, &c) ||
	    ioctl(c, VFIO_SET_IOMMU, type))
		return -1;
	return c;
}

static void observe_v2(const char *path, int group, long psz)
{
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = psz >= 65536 ? 16 : 12,
		.window_size = 1ULL << 30, .levels = 1,
	};
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	const u64 bufsz = 32 * psz, mapsz = 4 * psz;
	u64 entries = mapsz >> cr.page_shift;
	char dir[512], want[256], id[32], *st, *tr;
	long lck0 = vmlck_kb(), charged;
	long long pins0 = settled_pins();
	int c, g, r_map, r_bad;
	void *buf;

	ver = "v2";
	buf = mmap(NULL, bufsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	c = open_container(path, VFIO_SPAPR_TCE_v2_IOMMU, &g);
	if (c < 0 || buf == MAP_FAILED) {
		check("setup", 0, "%s", strerror(errno));
		return;
	}
	write_file(TRACING "/trace", "");
	check("register", !prereg(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, buf,
				  bufsz), "%s", strerror(errno));
	check("remove_default", !ioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm),
	      "%s", strerror(errno));
	check("create", !ioctl(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr), "%s",
	      strerror(errno));
	r_map = dma_map(c, buf, cr.start_addr, mapsz);
	check("map", !r_map, "%s", strerror(errno));
	/* Refused: misaligned; traced with its errno */
	r_bad = dma_map(c, (char *)buf + 512, cr.start_addr + 512, psz);
	check("map_refused", r_bad && errno == EINVAL, "%d", r_bad);

	st = found_state(dir, sizeof(dir));
	if (!st) {
		close(g);
		close(c);
		return;
	}
	snprintf(want, sizeof(want), "type: v2\n");
	check("state_type", !!strstr(st, want), "%s", want);
	snprintf(want, sizeof(want), "owner: %d spapr_observe\n", getpid());
	check("state_owner", !!strstr(st, want), "%s", want);
	check("state_group", field(st, "groups: ") == group, "%lld",
	      field(st, "groups: "));
	snprintf(want, sizeof(want),
		 "window 0: start 0x%llx size 0x40000000 page_shift %u levels 1 ",
		 (unsigned long long)cr.start_addr, cr.page_shift);
	check("state_window", !!strstr(st, want), "%s", want);
	check("state_window_mapped", field(st, " mapped ") == (long long)entries,
	      "%lld, expected %llu", field(st, " mapped "),
	      (unsigned long long)entries);
	snprintf(want, sizeof(want), "region: ua %p size 0x%llx pages %llu mapped %llu\n",
		 buf, (unsigned long long)bufsz,
		 (unsigned long long)(bufsz / psz), (unsigned long long)entries);
	check("state_region", !!strstr(st, want), "%s", want);
	/* What the system counts as pinned since (FOLL_PIN) */
	check("state_pinned", field(st, "pinned: ") == (long long)(bufsz / psz) &&
	      field(st, "pinned: ") == foll_pins() - pins0,
	      "%lld, the system says %lld", field(st, "pinned: "),
	      foll_pins() - pins0);
	/* All the process was charged: the region and the window's table */
	charged = (vmlck_kb() - lck0) * 1024 / psz;
	check("state_locked_vm", field(st, "locked_vm: ") == charged &&
	      field(st, " registered ") == (long long)(bufsz / psz),
	      "%lld pages (registered %lld), VmLck says %ld",
	      field(st, "locked_vm: "), field(st, " registered "), charged);
	snprintf(id, sizeof(id), "container=%lld ", field(st, "container: "));
	free(st);

	check("unmap", !dma_unmap(c, cr.start_addr, mapsz), "%s",
	      strerror(errno));
	st = my_state(dir, sizeof(dir));
	check("state_unmapped", st && field(st, " mapped ") == 0 &&
	      strstr(st, " pages 32 mapped 0\n"), "%s", st ? st : "no state");
	free(st);
	rm.start_addr = cr.start_addr;
	check("remove", !ioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm), "%s",
	      strerror(errno));

	tr = read_all(TRACING "/trace");
	check("trace_read", !!tr, "%s", strerror(errno));
	snprintf(want, sizeof(want), "addr=%p size=0x%llx ret=0 ", buf,
		 (unsigned long long)bufsz);
	check("trace_register", traced(tr, "spapr_tce_register:", id, want,
				       NULL), "%s%s", id, want);
	check("trace_create", traced(tr, "spapr_tce_create:", id,
				     "size=0x40000000", "levels=1 ret=0 ",
				     NULL), "%s", id);
	snprintf(want, sizeof(want), "addr=0x%llx size=0x%llx ret=0 ",
		 (unsigned long long)cr.start_addr, (unsigned long long)mapsz);
	check("trace_map", traced(tr, "spapr_tce_map:", id, want, NULL),
	      "%s%s", id, want);
	check("trace_map_refused", traced(tr, "spapr_tce_map:", id,
					  "ret=-22 ", NULL), "%s", id);
	check("trace_unmap", traced(tr, "spapr_tce_unmap:", id, want, NULL),
	      "%s%s", id, want);
	check("trace_remove", traced(tr, "spapr_tce_remove:", id, "ret=0 ",
				     NULL), "%s", id);
	/* The time taken: a real duration, not the "off" 0 */
	check("trace_time", !traced(tr, "spapr_tce_map:", id, "ret=0 ns=0\n",
				    NULL), "a traced MAP took 0 ns");
	free(tr);

	prereg(c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, buf, bufsz);
	close(g);
	close(c);
	dir_gone(dir);
	munmap(buf, bufsz);
}

static void observe_v1(const char *path, long psz)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	const u64 mapsz = 3 * psz;
	char dir[512], want[256], *st;
	long lck0 = vmlck_kb(), charged;
	long long pins0 = settled_pins();
	unsigned int iop_shift = 12;
	int c, g;
	void *buf;

	ver = "v1";
	buf = mmap(NULL, mapsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	c = open_container(path, VFIO_SPAPR_TCE_IOMMU, &g);
	if (c < 0 || buf == MAP_FAILED ||
	    ioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info)) {
		check("setup", 0, "%s", strerror(errno));
		return;
	}
	check("enable", !ioctl(c, VFIO_IOMMU_ENABLE), "%s", strerror(errno));
	check("map", !dma_map(c, buf, info.dma32_window_start, mapsz), "%s",
	      strerror(errno));
	st = found_state(dir, sizeof(dir));
	if (!st) {
		close(g);
		close(c);
		return;
	}
	check("state_type", !!strstr(st, "type: v1\n"), "v1");
	snprintf(want, sizeof(want),
		 "window 0: start 0x%x size 0x%x page_shift %u levels 1 ",
		 info.dma32_window_start, info.dma32_window_size, iop_shift);
	check("state_window", !!strstr(st, want), "%s", want);
	check("state_window_mapped",
	      field(st, " mapped ") == (long long)(mapsz >> iop_shift),
	      "%lld", field(st, " mapped "));
	/* One pin per system page, shared by its IOMMU pages */
	check("state_pinned", field(st, "pinned: ") == 3 &&
	      field(st, " pinned ") == 3 && foll_pins() - pins0 == 3,
	      "%lld, the system says %lld", field(st, "pinned: "),
	      foll_pins() - pins0);
	charged = (vmlck_kb() - lck0) * 1024 / psz;
	/* ENABLE charges the whole default window, as upstream does */
	check("state_locked_vm", field(st, "locked_vm: ") == charged &&
	      field(st, ": enable ") == info.dma32_window_size / psz,
	      "%lld pages (enable %lld), VmLck says %ld",
	      field(st, "locked_vm: "), field(st, ": enable "), charged);
	free(st);
	close(g);
	close(c);
	dir_gone(dir);
	munmap(buf, mapsz);
}

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE);
	char path[256];
	int group;

	if (argc < 2 || group_of(argv[1], path, sizeof(path))) {
		fprintf(stderr, "usage: spapr_observe BDF\n");
		return 2;
	}
	group = atoi(path + strlen("/dev/vfio/"));
	ver = "all";
	check("trace_enable", !write_file(TRACING "/events/vfio_spapr_tce/enable",
					  "1"), "%s", strerror(errno));
	observe_v2(path, group, psz);
	observe_v1(path, psz);
	write_file(TRACING "/events/vfio_spapr_tce/enable", "0");
	printf("%d failed checks\n", failures);
	return failures ? 1 : 0;
}

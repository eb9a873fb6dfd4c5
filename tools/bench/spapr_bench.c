// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr_bench: time the map path of an sPAPR TCE VFIO backend in a guest.
 *
 *   spapr_bench v1|v2 BDF TAG SIZE_MB...
 *
 * For each size: v2 REGISTER_MEMORY of the range; MAP_DMA of the whole
 * range in one call; UNMAP_DMA of it; MAP_DMA in 64 KiB calls (QEMU's
 * H_PUT_TCE pattern); UNMAP again. Every mapping it times is then checked
 * through the edu device at sampled IOVAs (first, middle and last page),
 * so that a fast no-op cannot win. Prints, per timed operation:
 *
 *   BENCH <tag> <ver> <case> <size_mb> <tces> <seconds> <ok|BAD>
 *
 * and, per buffer, how physically contiguous it is (the mean length, in
 * system pages, of its runs of consecutive page frames, read from
 * /proc/self/pagemap; 0 if unreadable): runs of contiguous memory are what
 * a backend can map with one multi-TCE call.
 *
 *   CONTIG <tag> <ver> <size_mb> <mean_run_pages>
 *
 * Where the guest kernel has transparent huge pages, every size is then
 * measured again on a buffer of them (madvise(MADV_HUGEPAGE), as QEMU
 * backs guest RAM): its cases and CONTIG lines are named "<case>/thp" and
 * "<size_mb>/thp".
 *
 * With SPAPR_BENCH_PROFILE=<case> (map, map64k, unmap, register, one of
 * them with "/thp", or "all") in the
 * environment, every timed operation of that case is bracketed by the
 * no-op "or 27,27,27" that tools/bench/insn_profile.c (a QEMU plugin) takes as
 * the start and the end of a profile window, and is also reported as
 *
 *   PROFILED <tag> <ver> <case> <size_mb> <tces>
 *
 * in the order of the windows.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio_edu.h"

static const char *tag, *ver, *profiled;
static struct edu e;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Is @what the case being profiled ("all": every case is)? */
static int profiling(const char *what)
{
	return profiled && (!strcmp(profiled, "all") || !strcmp(what, profiled));
}

/* Open or close a profile window around the case being profiled */
static void mark(const char *what)
{
	if (profiling(what))
		__asm__ __volatile__("or 27,27,27" ::: "memory");
}

static void report(const char *what, unsigned long mb, unsigned long tces,
		   double secs, int ok)
{
	printf("BENCH %s %s %s %lu %lu %.6f %s\n", tag, ver, what, mb, tces,
	       secs, ok ? "ok" : "BAD");
	if (profiling(what))
		printf("PROFILED %s %s %s %lu %lu\n", tag, ver, what, mb, tces);
	fflush(stdout);
}

/* Mean length of the physically contiguous runs of [buf, buf + size) */
static double contig(const u8 *buf, u64 size, u64 psz)
{
	u64 n = size / psz, i, runs = 0, prev = 0, pfn, entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (pread(fd, &entry, sizeof(entry),
			  ((u64)(unsigned long)buf / psz + i) * sizeof(entry)) !=
		    sizeof(entry) || !(entry >> 63)) {
			close(fd);
			return 0;
		}
		pfn = entry & ((1ULL << 55) - 1);
		if (!i || pfn != prev + 1)
			runs++;
		prev = pfn;
	}
	close(fd);
	return (double)n / runs;
}

/*
 * Check the mapping of [buf, buf + size) at @iova through the device: copy
 * from the first, middle and last page into the device and back into the
 * page before; 1 if every copy landed.
 */
static int verify(u8 *buf, u64 iova, u64 size, u64 psz)
{
	u64 at[] = { psz, size / 2, size - psz };
	int i;

	for (i = 0; i < 3; i++)
		if (edu_round_trip(&e, buf + at[i], iova + at[i],
				   buf + at[i] - 2048, iova + at[i] - 2048,
				   1024, i))
			return 0;
	return 1;
}

/* The PMD size if transparent huge pages can back a buffer, else 0 */
static u64 thp_size(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
			"r");
	unsigned long long sz = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &sz) != 1)
		sz = 0;
	fclose(f);
	return sz;
}

/*
 * A populated buffer of @size bytes at *@buf: plain pages, or with @thp
 * huge pages of that size (aligned to it, madvised, then touched once per
 * system page of @psz bytes). The mapping to munmap() is at *@raw, *@rawsz
 * long.
 */
static int buffer(u64 size, u64 thp, u64 psz, u8 **buf, void **raw,
		  u64 *rawsz)
{
	u64 off;
	u8 *p;

	*rawsz = size + thp;
	p = mmap(NULL, *rawsz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | (thp ? 0 : MAP_POPULATE), -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	*raw = p;
	*buf = p;
	if (!thp)
		return 0;
	*buf = (u8 *)(((unsigned long)p + thp - 1) & ~(unsigned long)(thp - 1));
	if (madvise(*buf, size, MADV_HUGEPAGE)) {
		perror("madvise");
		return -1;
	}
	for (off = 0; off < size; off += psz)
		(*buf)[off] = 1;
	return 0;
}

/*
 * Time each case over @size bytes of a buffer (@thp: of huge pages that
 * big) mapped at @iova in container @c; @psz: system page size, @shift: the
 * window's IOMMU page shift. Returns 2 if no buffer could be had.
 */
static int bench_size(int c, int v2, u64 size, u64 thp, u64 iova, u64 psz,
		      unsigned long shift)
{
	const char *sfx = thp ? "/thp" : "";
	unsigned long mb = size >> 20;
	char what[32];
	u64 rawsz, off;
	void *raw;
	double t;
	u8 *buf;
	int ok;

	if (buffer(size, thp, psz, &buf, &raw, &rawsz))
		return 2;
	printf("CONTIG %s %s %lu%s %.1f\n", tag, ver, mb, sfx,
	       contig(buf, size, psz));

	if (v2) {
		snprintf(what, sizeof(what), "register%s", sfx);
		t = now();
		mark(what);
		ok = !prereg(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, buf, size);
		mark(what);
		report(what, mb, size / psz, now() - t, ok);
	}

	snprintf(what, sizeof(what), "map%s", sfx);
	t = now();
	mark(what);
	ok = !dma_map(c, buf, iova, size);
	mark(what);
	t = now() - t;
	report(what, mb, size >> shift, t, ok && verify(buf, iova, size, psz));

	snprintf(what, sizeof(what), "unmap%s", sfx);
	t = now();
	mark(what);
	ok = !dma_unmap(c, iova, size);
	mark(what);
	t = now() - t;
	/* Unmapped: the device must no longer reach the buffer */
	report(what, mb, size >> shift, t, ok && !verify(buf, iova, size, psz));

	snprintf(what, sizeof(what), "map64k%s", sfx);
	t = now();
	mark(what);
	for (off = 0, ok = 1; ok && off < size; off += 64 << 10)
		ok = !dma_map(c, buf + off, iova + off, 64 << 10);
	mark(what);
	t = now() - t;
	report(what, mb, size >> shift, t, ok && verify(buf, iova, size, psz));
	dma_unmap(c, iova, size);

	if (v2)
		prereg(c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, buf, size);
	munmap(raw, rawsz);
	return 0;
}

int main(int argc, char **argv)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	u64 psz = sysconf(_SC_PAGESIZE), win_start, win_size, size, thp;
	unsigned long mb, shift;
	char path[PATH_MAX];
	int v2, c, g, d, i;

	if (argc < 5) {
		fprintf(stderr, "usage: %s v1|v2 BDF TAG SIZE_MB...\n", argv[0]);
		return 2;
	}
	ver = argv[1];
	tag = argv[3];
	v2 = !strcmp(ver, "v2");
	profiled = getenv("SPAPR_BENCH_PROFILE");

	if (group_of(argv[2], path, sizeof(path)))
		return 2;
	c = open("/dev/vfio/vfio", O_RDWR);
	g = open(path, O_RDWR);
	if (c < 0 || g < 0 || ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) ||
	    ioctl(c, VFIO_SET_IOMMU, v2 ? VFIO_SPAPR_TCE_v2_IOMMU :
					  VFIO_SPAPR_TCE_IOMMU) ||
	    ioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info)) {
		perror("container");
		return 2;
	}
	if (v2) {
		struct vfio_iommu_spapr_tce_remove rm = {
			.argsz = sizeof(rm),
			.start_addr = info.dma32_window_start,
		};
		/* 64K IOMMU pages, or 4K ones over 4K system pages */
		struct vfio_iommu_spapr_tce_create cr = {
			.argsz = sizeof(cr), .page_shift = psz >= 65536 ? 16 : 12,
			.window_size = 1ULL << 30, .levels = 1,
		};

		if (ioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm) ||
		    ioctl(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr)) {
			perror("window");
			return 2;
		}
		win_start = cr.start_addr;
		win_size = cr.window_size;
		shift = cr.page_shift;
	} else {
		if (ioctl(c, VFIO_IOMMU_ENABLE)) {
			perror("enable");
			return 2;
		}
		win_start = info.dma32_window_start;
		win_size = info.dma32_window_size;
		shift = 12;
	}
	d = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, argv[2]);
	if (d < 0 || edu_open(&e, d)) {
		perror("edu");
		return 2;
	}

	thp = thp_size();
	for (i = 4; i < argc; i++) {
		mb = strtoul(argv[i], NULL, 0);
		size = (u64)mb << 20;
		if (!mb || size > win_size)
			size = win_size;
		if (bench_size(c, v2, size, 0, win_start, psz, shift) ||
		    (thp && bench_size(c, v2, size, thp, win_start, psz, shift)))
			return 2;
	}
	close(d);
	close(g);
	close(c);
	return 0;
}

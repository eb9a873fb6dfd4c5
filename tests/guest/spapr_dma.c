// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr_dma: end-to-end passthrough check of an sPAPR TCE VFIO backend with
 * QEMU's "edu" PCI device, which copies between its 4 KiB buffer and a bus
 * address. It drives the container the way QEMU's hw/vfio does, then has
 * the device DMA through the TCEs the backend wrote.
 *
 *   spapr_dma v1|v2 BDF [ours|upstream]
 *
 * Prints one line per step: "E2E <tag> <ver> <step> <value>" (the value
 * to compare between backends: 0, an errno name, or a figure) and, for
 * the backend under test (tag "ours"), "VST-RESULT e2e_<ver>_<step>
 * PASS|FAIL [detail]"; last a "SUMMARY" line. Exits 1 if a step failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio_edu.h"

static const char *ver, *tag;
static int failures;

static void step(const char *name, int ok, const char *fmt, ...)
{
	char detail[256] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	e2e_print(tag, ver, name, ok, detail);
	if (!ok)
		failures++;
}

/*
 * The levels QEMU 7.2 (hw/vfio/spapr.c) asks for a 1 GiB window of the
 * host's IOMMU page size, from the host pages its flat table would take:
 * two on a 4K-page host, one on a 64K one (not its general formula; the
 * real QEMU's request is checked by tests/guest/init-qemu.sh)
 */
static unsigned int qemu_levels(u64 window_size, unsigned int page_shift,
				long psz)
{
	u64 pages = (window_size >> page_shift) * 8 / psz;
	unsigned int bits = 0;

	while ((1ULL << bits) < pages)
		bits++;
	return bits / 6 + 1;
}

/* Run an ioctl and give its result as an errno name */
#define TRY(fd, req, arg) ({ int __r = ioctl(fd, req, arg); \
			     err_name(__r, errno); })

/*
 * v2, in a container of its own, QEMU's default window as QEMU asks it:
 * the default removed, then 1 GiB at levels by the host's page size (two
 * on a 4K-page host). Tables of one level only (pseries) serve that with
 * their one level (Documentation/ioctls.rst); upstream refuses it, and
 * QEMU then gives up on the device. Last, as what it leaves charged stays
 * with the process.
 */
static void qemu_window(const char *path, unsigned int iop_shift,
			unsigned int levels)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = iop_shift,
		.window_size = 1ULL << 30, .levels = levels,
	};
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	int g = open(path, O_RDWR), c = open("/dev/vfio/vfio", O_RDWR);
	long lck0 = vmlck_kb();
	const char *res;

	if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) ||
	    ioctl(c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU) ||
	    ioctl(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info)) {
		step("qemu_window_container", 0, "%s", err_name(-1, errno));
		goto out;
	}
	rm.start_addr = info.dma32_window_start;
	res = TRY(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
	step("qemu_remove_default", !strcmp(res, "0"), "%s", res);
	res = TRY(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
	step("qemu_create_window", !strcmp(res, "0") && !cr.start_addr,
	     "%s levels=%u start=%#llx", res, cr.levels,
	     (unsigned long long)cr.start_addr);
	rm.start_addr = cr.start_addr;
	res = strcmp(res, "0") ? "-" : TRY(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
	step("qemu_remove_window", !strcmp(res, "0"), "%s", res);
out:
	close(g);
	close(c);
	step("qemu_closed_vmlck", vmlck_kb() == lck0, "%ld", vmlck_kb() - lck0);
}

int main(int argc, char **argv)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	char path[PATH_MAX];
	struct edu e;
	int dev_fd;
	u64 win_start, win_size, iova, psz = sysconf(_SC_PAGESIZE);
	/*
	 * v2 windows: 64K IOMMU pages, or the system page where it is
	 * smaller (registered memory of 4K pages backs 4K IOMMU pages only)
	 */
	unsigned int iop_shift = psz >= 65536 ? 16 : __builtin_ctzll(psz);
	unsigned int levels;
	u64 iop = 1ULL << iop_shift;
	size_t bufsz = 32 * psz, n, sizes[] = { 64, 1000, 2048, EDU_BUF_MAX };
	long lck0, lck, lck_on, table_kb = -1;
	int v2, type, c, g, r, i;
	u8 *buf, *a, *b;
	const char *res;

	if (argc < 3) {
		fprintf(stderr, "usage: %s v1|v2 BDF [tag]\n", argv[0]);
		return 2;
	}
	ver = argv[1];
	tag = argc > 3 ? argv[3] : "ours";
	v2 = !strcmp(ver, "v2");
	type = v2 ? VFIO_SPAPR_TCE_v2_IOMMU : VFIO_SPAPR_TCE_IOMMU;

	buf = mmap(NULL, bufsz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return 2;
	lck0 = vmlck_kb();

	/* The group of the device */
	if (group_of(argv[2], path, sizeof(path))) {
		step("group", 0, "no iommu_group for %s", argv[2]);
		return 1;
	}

	/* QEMU's order: container, API, extension, group, container, IOMMU */
	c = open("/dev/vfio/vfio", O_RDWR);
	step("open_container", c >= 0, "%s", c >= 0 ? "0" : strerror(errno));
	r = ioctl(c, VFIO_GET_API_VERSION);
	step("api_version", r == VFIO_API_VERSION, "%d", r);
	r = ioctl(c, VFIO_CHECK_EXTENSION, type);
	step("check_extension", r == 1, "%d", r);
	g = open(path, O_RDWR);
	step("open_group", g >= 0, "%s", path);
	r = ioctl(g, VFIO_GROUP_GET_STATUS, &gs);
	step("group_viable", !r && (gs.flags & VFIO_GROUP_FLAGS_VIABLE),
	     "%s", err_name(r, errno));
	res = TRY(g, VFIO_GROUP_SET_CONTAINER, &c);
	step("set_container", !strcmp(res, "0"), "%s", res);
	res = TRY(c, VFIO_SET_IOMMU, type);
	step("set_iommu", !strcmp(res, "0"), "%s", res);
	res = TRY(c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info);
	step("get_info", !strcmp(res, "0") && info.dma32_window_size,
	     "%s start=%#x size=%#x ddw=%d", res, info.dma32_window_start,
	     info.dma32_window_size,
	     !!(info.flags & VFIO_IOMMU_SPAPR_INFO_DDW));
	if (failures)
		return 1;

	if (!v2) {
		res = TRY(c, VFIO_IOMMU_ENABLE, 0);
		lck_on = vmlck_kb();
		step("enable", !strcmp(res, "0") &&
		     lck_on - lck0 == info.dma32_window_size / 1024,
		     "%s vmlck+%ldkB", res, lck_on - lck0);
		res = TRY(c, VFIO_IOMMU_ENABLE, 0);
		step("enable_twice", !strcmp(res, "EBUSY"), "%s", res);
		win_start = info.dma32_window_start;
		win_size = info.dma32_window_size;
	} else {
		struct vfio_iommu_spapr_tce_remove rm = {
			.argsz = sizeof(rm),
			.start_addr = info.dma32_window_start,
		};
		struct vfio_iommu_spapr_tce_create cr = {
			.argsz = sizeof(cr), .page_shift = iop_shift,
			.window_size = 1ULL << 30, .levels = 1,
		};

		res = err_name(prereg(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, buf,
				      bufsz), errno);
		lck_on = vmlck_kb();
		step("register", !strcmp(res, "0") &&
		     lck_on - lck0 == (long)(bufsz / 1024),
		     "%s vmlck+%ldkB", res, lck_on - lck0);
		res = err_name(prereg(c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, buf,
				      bufsz), errno);
		step("register_twice", !strcmp(res, "EBUSY"), "%s", res);
		res = TRY(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
		step("remove_default", !strcmp(res, "0"), "%s", res);
		res = TRY(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
		/* The window's table is charged when it is made */
		table_kb = vmlck_kb() - lck_on;
		step("create_window", !strcmp(res, "0") && table_kb > 0,
		     "%s start=%#llx page_shift=%u table+%ldkB", res,
		     (unsigned long long)cr.start_addr, iop_shift, table_kb);
		win_start = cr.start_addr;
		win_size = cr.window_size;
	}
	if (failures)
		return 1;

	/* The device */
	dev_fd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, argv[2]);
	step("device_fd", dev_fd >= 0, "%s",
	     dev_fd >= 0 ? "0" : err_name(dev_fd, errno));
	r = edu_open(&e, dev_fd);
	step("edu_open", !r, "%s ident=%#x swap=%d", r ? "failed" : "0",
	     edu_rd32(&e, EDU_IDENT), e.swap);
	edu_wr64(&e, EDU_DMA_SRC, 0x1122334455667788ULL);
	step("edu_reg64", edu_rd64(&e, EDU_DMA_SRC) == 0x1122334455667788ULL,
	     "%#llx", (unsigned long long)edu_rd64(&e, EDU_DMA_SRC));
	if (failures)
		return 1;

	/* DMA through mapped IOVAs: the window's first and last pages too */
	a = buf;
	b = buf + 16 * psz;
	for (i = 0; i < 3; i++) {
		u64 at[] = { win_start, win_start + win_size / 2,
				  win_start + win_size - psz };
		int bad = 0;

		iova = at[i];
		res = err_name(dma_map(c, a, iova, psz), errno);
		/* v1: the first map made the default window and its table */
		if (table_kb < 0)
			table_kb = vmlck_kb() - lck_on;
		if (strcmp(res, "0")) {
			step(i ? (i == 1 ? "map_mid" : "map_last") : "map_first",
			     0, "%s", res);
			continue;
		}
		for (n = 0; n < 4; n++)
			bad |= edu_round_trip(&e, a, iova, a + psz / 2, iova + psz / 2,
					  sizes[n] < psz / 2 ? sizes[n] : psz / 2,
					  n + i);
		step(i ? (i == 1 ? "dma_mid" : "dma_last") : "dma_first",
		     !bad, "%s", bad ? "mismatch" : "0");
		res = err_name(dma_unmap(c, iova, psz), errno);
		step(i ? (i == 1 ? "unmap_mid" : "unmap_last") : "unmap_first",
		     !strcmp(res, "0"), "%s", res);
	}

	/* Several pages, two buffers, several sizes */
	iova = win_start + 16 * psz;
	res = err_name(dma_map(c, a, iova, 16 * psz), errno);
	step("map_16", !strcmp(res, "0"), "%s", res);
	res = err_name(dma_map(c, b, iova + 16 * psz, 16 * psz), errno);
	step("map_16b", !strcmp(res, "0"), "%s", res);
	for (n = 0, r = 0; n < 4; n++)
		r |= edu_round_trip(&e, a + 3 * psz + 128, iova + 3 * psz + 128,
				b + 9 * psz + 64, iova + 25 * psz + 64,
				sizes[n], n);
	step("dma_sizes", !r, "%s", r ? "mismatch" : "0");

	/*
	 * v2, a second window with an indirect level (QEMU asks for levels
	 * for big windows): DMA across the boundary of two leaves of its
	 * table, whose leaves hold 512 or 8192 entries on powernv. Where
	 * the platform has tables of one level only (pseries) there is none.
	 */
	if (v2 && info.ddw.levels < 2)
		printf("E2E-NOTE %s: tables of one level only\n", tag);
	if (v2 && info.ddw.levels >= 2) {
		struct vfio_iommu_spapr_tce_create cr2 = {
			.argsz = sizeof(cr2), .page_shift = iop_shift,
			.window_size = 1ULL << 30, .levels = 2,
		};
		struct vfio_iommu_spapr_tce_remove rm2 = {
			.argsz = sizeof(rm2),
		};
		u64 at;

		res = TRY(c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr2);
		step("create_levels2", !strcmp(res, "0"), "%s start=%#llx",
		     res, (unsigned long long)cr2.start_addr);
		/* IOMMU pages 8191 and 8192 of the window */
		at = cr2.start_addr + 8191 * iop;
		res = err_name(dma_map(c, b, at, 2 * iop), errno);
		step("map_leaves", !strcmp(res, "0"), "%s", res);
		r = edu_round_trip(&e, b + iop - 1024, at + iop - 1024,
				   b + 256, at + 256, 2048, 13);
		step("dma_leaves", !r, "%s", r ? "mismatch" : "0");
		res = err_name(dma_unmap(c, at, 2 * iop), errno);
		step("unmap_leaves", !strcmp(res, "0"), "%s", res);
		rm2.start_addr = cr2.start_addr;
		res = TRY(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm2);
		step("remove_levels2", !strcmp(res, "0"), "%s", res);
	}

	/* Bad input: the documented errno, and the container still works */
	res = err_name(dma_map(c, a, iova + 4096 + 512, psz), errno);
	step("map_misaligned", !strcmp(res, "EINVAL"), "%s", res);
	res = err_name(dma_map(c, a, win_start + win_size, psz), errno);
	step("map_outside", !strcmp(res, "ENXIO"), "%s", res);
	res = err_name(dma_map(c, b, iova, psz), errno);
	step("map_over_mapping", !strcmp(res, "EBUSY"), "%s", res);
	r = edu_round_trip(&e, b + 16 * psz - 4096, iova + 32 * psz - 4096,
			   a + psz + 64, iova + psz + 64, 1024, 9);
	step("dma_after_errors", !r, "%s", r ? "mismatch" : "0");

	/* After unmap the device cannot reach the page */
	res = err_name(dma_unmap(c, iova, 16 * psz), errno);
	step("unmap_16", !strcmp(res, "0"), "%s", res);
	memset(a, 0x5a, 4096);
	r = edu_dma(&e, EDU_BUF, iova, 1024, 1);
	for (n = 0; n < 4096 && a[n] == 0x5a; n++)
		;
	step("dma_after_unmap_blocked", n == 4096, "%s",
	     n == 4096 ? "0" : "page written");
	res = err_name(dma_unmap(c, iova, 16 * psz), errno);
	step("unmap_twice", !strcmp(res, "0"), "%s", res);
	res = err_name(dma_map(c, a, iova, 16 * psz), errno);
	r = edu_round_trip(&e, b + 128, iova + 16 * psz + 128, a + 256,
			   iova + 256, 2000, 11);
	step("remap", !strcmp(res, "0") && !r, "%s %s", res,
	     r ? "mismatch" : "dma ok");
	res = err_name(dma_unmap(c, win_start, win_size), errno);
	step("unmap_window", !strcmp(res, "0"), "%s", res);

	if (v2) {
		res = err_name(prereg(c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
				      buf, bufsz), errno);
		lck = vmlck_kb();
		step("unregister", !strcmp(res, "0") && lck - lck0 == table_kb,
		     "%s vmlck+%ldkB", res, lck - lck0);
	} else {
		res = TRY(c, VFIO_IOMMU_DISABLE, 0);
		lck = vmlck_kb();
		step("disable", !strcmp(res, "0") && table_kb > 0 &&
		     lck - lck0 == table_kb,
		     "%s vmlck+%ldkB", res, lck - lck0);
	}

	close(dev_fd);
	close(g);
	close(c);
	lck = vmlck_kb();
	step("closed_vmlck", lck == lck0, "%ld", lck - lck0);
	levels = qemu_levels(1ULL << 30, iop_shift, psz);
	if (v2 && info.ddw.levels < 2 && levels > 1)
		qemu_window(path, iop_shift, levels);
	printf("SUMMARY %s %s: device %s, group %s, ", tag, ver, argv[2],
	       path + strlen("/dev/vfio/"));
	printf("window %#llx+%#llx, ", (unsigned long long)win_start,
	       (unsigned long long)win_size);
	printf("%lu bytes DMA'd and verified, ", e.verified);
	printf("VmLck %ld kB before, %ld kB after close, ", lck0, lck);
	printf("%d failed steps\n", failures);
	return failures ? 1 : 0;
}

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

typedef __u64 u64;
typedef __u32 u32;
typedef __u16 u16;
typedef __u8 u8;

#define EDU_IDENT	0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000ULL
/* edu refuses a transfer that ends exactly at the end of its buffer */
#define EDU_BUF_MAX	(4096 - 64)

static const char *ver, *tag;
static int failures;
static int dev_fd;
static u64 bar0;
static int swap_regs;
static unsigned long verified;

static void step(const char *name, int ok, const char *fmt, ...)
{
	char detail[256] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("E2E %s %s %s %s\n", tag, ver, name, detail);
	/* Only our backend is judged; the oracle's answers are compared */
	if (!strcmp(tag, "ours"))
		printf("VST-RESULT e2e_%s_%s %s%s%s\n", ver, name,
		       ok ? "PASS" : "FAIL", ok ? "" : " ", ok ? "" : detail);
	fflush(stdout);
	if (!ok)
		failures++;
}

/* The errno of a -1 return as a name, "0" for success */
static const char *err_name(int ret, int err)
{
	static char buf[32];

	if (ret > 0) {
		/* Not an errno: a bare positive return */
		snprintf(buf, sizeof(buf), "%d", ret);
		return buf;
	}
	if (ret == 0)
		return "0";
	switch (err) {
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case ENXIO: return "ENXIO";
	case ENOENT: return "ENOENT";
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	case ENODEV: return "ENODEV";
	}
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* Run an ioctl and give its result as an errno name */
#define TRY(fd, req, arg) ({ int __r = ioctl(fd, req, arg); \
			     err_name(__r, errno); })

static long vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static u32 rd32(u64 off)
{
	u32 v = 0;

	if (pread(dev_fd, &v, 4, bar0 + off) != 4)
		return ~0U;
	return swap_regs ? __builtin_bswap32(v) : v;
}

static void wr64(u64 off, u64 v)
{
	if (swap_regs)
		v = __builtin_bswap64(v);
	if (pwrite(dev_fd, &v, 8, bar0 + off) != 8)
		perror("pwrite");
}

static u64 rd64(u64 off)
{
	u64 v = 0;

	if (pread(dev_fd, &v, 8, bar0 + off) != 8)
		return ~0ULL;
	return swap_regs ? __builtin_bswap64(v) : v;
}

/* One edu transfer; 0 when the device finished it */
static int edu_dma(u64 src, u64 dst, u32 cnt, int to_ram)
{
	int i;

	wr64(EDU_DMA_SRC, src);
	wr64(EDU_DMA_DST, dst);
	wr64(EDU_DMA_CNT, cnt);
	wr64(EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (i = 0; i < 500; i++) {
		if (!(rd32(EDU_DMA_CMD) & EDU_CMD_RUN))
			return 0;
		usleep(10000);
	}
	return -1;
}

static void fill(u8 *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(i * 7 + seed * 13 + (i >> 8));
}

/*
 * Copy @n bytes from @src (mapped at @src_iova) into the device and back
 * out to @dst (mapped at @dst_iova); 0 if @dst then equals @src.
 */
static int round_trip(u8 *src, u64 src_iova, u8 *dst,
		      u64 dst_iova, size_t n, unsigned int seed)
{
	fill(src, n, seed);
	memset(dst, 0, n);
	if (edu_dma(src_iova, EDU_BUF, n, 0) ||
	    edu_dma(EDU_BUF, dst_iova, n, 1))
		return -1;
	if (memcmp(src, dst, n))
		return -2;
	verified += n;
	return 0;
}

/* Let the device master the bus, as a guest driver would */
static int bus_master(int fd)
{
	struct vfio_region_info cfg = {
		.argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	u16 cmd;

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &cfg) ||
	    pread(fd, &cmd, 2, cfg.offset + 4) != 2)
		return -1;
	cmd |= 0x6;	/* PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER */
	if (pwrite(fd, &cmd, 2, cfg.offset + 4) != 2 ||
	    pread(fd, &cmd, 2, cfg.offset + 4) != 2)
		return -1;
	return (cmd & 0x6) == 0x6 ? 0 : -1;
}

static int map(int c, void *va, u64 iova, u64 size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return ioctl(c, VFIO_IOMMU_MAP_DMA, &m);
}

static int unmap(int c, u64 iova, u64 size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = size,
	};

	return ioctl(c, VFIO_IOMMU_UNMAP_DMA, &u);
}

static int prereg(int c, unsigned long req, void *va, u64 size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = (uintptr_t)va, .size = size,
	};

	return ioctl(c, req, &r);
}

int main(int argc, char **argv)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[PATH_MAX], link[PATH_MAX], *p;
	u64 win_start, win_size, iova, psz = sysconf(_SC_PAGESIZE);
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
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 argv[2]);
	r = readlink(path, link, sizeof(link) - 1);
	if (r < 0) {
		step("group", 0, "no iommu_group for %s", argv[2]);
		return 1;
	}
	link[r] = 0;
	p = strrchr(link, '/');
	snprintf(path, sizeof(path), "/dev/vfio/%s", p + 1);

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
			.argsz = sizeof(cr), .page_shift = 16,
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
		step("create_64k", !strcmp(res, "0") && table_kb > 0,
		     "%s start=%#llx table+%ldkB", res,
		     (unsigned long long)cr.start_addr, table_kb);
		win_start = cr.start_addr;
		win_size = cr.window_size;
	}
	if (failures)
		return 1;

	/* The device */
	dev_fd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, argv[2]);
	step("device_fd", dev_fd >= 0, "%s",
	     dev_fd >= 0 ? "0" : err_name(dev_fd, errno));
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	r = ioctl(dev_fd, VFIO_DEVICE_GET_REGION_INFO, &reg);
	bar0 = reg.offset;
	if (!r && rd32(EDU_IDENT) == 0xed000001)
		swap_regs = 1;
	step("edu_ident", !r && rd32(EDU_IDENT) == 0x010000ed, "%#x swap=%d",
	     rd32(EDU_IDENT), swap_regs);
	r = bus_master(dev_fd);
	step("bus_master", !r, "%s", r ? "config write failed" : "0");
	wr64(EDU_DMA_SRC, 0x1122334455667788ULL);
	step("edu_reg64", rd64(EDU_DMA_SRC) == 0x1122334455667788ULL, "%#llx",
	     (unsigned long long)rd64(EDU_DMA_SRC));
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
		res = err_name(map(c, a, iova, psz), errno);
		/* v1: the first map made the default window and its table */
		if (table_kb < 0)
			table_kb = vmlck_kb() - lck_on;
		if (strcmp(res, "0")) {
			step(i ? (i == 1 ? "map_mid" : "map_last") : "map_first",
			     0, "%s", res);
			continue;
		}
		for (n = 0; n < 4; n++)
			bad |= round_trip(a, iova, a + psz / 2, iova + psz / 2,
					  sizes[n] < psz / 2 ? sizes[n] : psz / 2,
					  n + i);
		step(i ? (i == 1 ? "dma_mid" : "dma_last") : "dma_first",
		     !bad, "%s", bad ? "mismatch" : "0");
		res = err_name(unmap(c, iova, psz), errno);
		step(i ? (i == 1 ? "unmap_mid" : "unmap_last") : "unmap_first",
		     !strcmp(res, "0"), "%s", res);
	}

	/* Several pages, two buffers, several sizes */
	iova = win_start + 16 * psz;
	res = err_name(map(c, a, iova, 16 * psz), errno);
	step("map_16", !strcmp(res, "0"), "%s", res);
	res = err_name(map(c, b, iova + 16 * psz, 16 * psz), errno);
	step("map_16b", !strcmp(res, "0"), "%s", res);
	for (n = 0, r = 0; n < 4; n++)
		r |= round_trip(a + 3 * psz + 128, iova + 3 * psz + 128,
				b + 9 * psz + 64, iova + 25 * psz + 64,
				sizes[n], n);
	step("dma_sizes", !r, "%s", r ? "mismatch" : "0");

	/* Bad input: the documented errno, and the container still works */
	res = err_name(map(c, a, iova + 4096 + 512, psz), errno);
	step("map_misaligned", !strcmp(res, "EINVAL"), "%s", res);
	res = err_name(map(c, a, win_start + win_size, psz), errno);
	step("map_outside", !strcmp(res, "ENXIO"), "%s", res);
	res = err_name(map(c, b, iova, psz), errno);
	step("map_over_mapping", !strcmp(res, "EBUSY"), "%s", res);
	r = round_trip(b + 16 * psz - 4096, iova + 32 * psz - 4096,
		       a + psz + 64, iova + psz + 64, 1024, 9);
	step("dma_after_errors", !r, "%s", r ? "mismatch" : "0");

	/* After unmap the device cannot reach the page */
	res = err_name(unmap(c, iova, 16 * psz), errno);
	step("unmap_16", !strcmp(res, "0"), "%s", res);
	memset(a, 0x5a, 4096);
	r = edu_dma(EDU_BUF, iova, 1024, 1);
	for (n = 0; n < 4096 && a[n] == 0x5a; n++)
		;
	step("dma_after_unmap_blocked", n == 4096, "%s",
	     n == 4096 ? "0" : "page written");
	res = err_name(unmap(c, iova, 16 * psz), errno);
	step("unmap_twice", !strcmp(res, "0"), "%s", res);
	res = err_name(map(c, a, iova, 16 * psz), errno);
	r = round_trip(b + 128, iova + 16 * psz + 128, a + 256, iova + 256,
		       2000, 11);
	step("remap", !strcmp(res, "0") && !r, "%s %s", res,
	     r ? "mismatch" : "dma ok");
	res = err_name(unmap(c, win_start, win_size), errno);
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
	printf("SUMMARY %s %s: device %s, group %s, ", tag, ver, argv[2], p + 1);
	printf("window %#llx+%#llx, ", (unsigned long long)win_start,
	       (unsigned long long)win_size);
	printf("%lu bytes DMA'd and verified, ", verified);
	printf("VmLck %ld kB before, %ld kB after close, ", lck0, lck);
	printf("%d failed steps\n", failures);
	return failures ? 1 : 0;
}

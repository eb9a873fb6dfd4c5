// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the guest programs; see vfio_edu.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio_edu.h"

/* The errno of a -1 return as a name, "0" for success */
const char *err_name(int ret, int err)
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

/*
 * One step's lines: "E2E <tag> <ver> <name> <value>" for the side-by-side
 * table and, for the backend under test (tag "ours"), its verdict as
 * "VST-RESULT e2e_<ver>_<name> PASS|FAIL [value]".
 */
void e2e_print(const char *tag, const char *ver, const char *name, int ok,
	       const char *value)
{
	printf("E2E %s %s %s %s\n", tag, ver, name, value);
	/* Only our backend is judged; the oracle's answers are compared */
	if (!strcmp(tag, "ours"))
		printf("VST-RESULT e2e_%s_%s %s%s%s\n", ver, name,
		       ok ? "PASS" : "FAIL", ok ? "" : " ", ok ? "" : value);
	fflush(stdout);
}

/*
 * Pages pinned (FOLL_PIN) in the whole system and not yet released, from
 * /proc/vmstat; LLONG_MIN if it cannot be read. The counters are folded
 * in from per-CPU deltas first (stat_refresh, root only), else they lag.
 */
long long foll_pins(void)
{
	long long acquired = -1, released = -1, v;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	char line[128];
	FILE *f;

	if (fd >= 0) {
		if (write(fd, "1\n", 2) != 2)
			perror("stat_refresh");
		close(fd);
	}
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return LLONG_MIN;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "nr_foll_pin_acquired %lld", &v) == 1)
			acquired = v;
		else if (sscanf(line, "nr_foll_pin_released %lld", &v) == 1)
			released = v;
	}
	fclose(f);
	if (acquired < 0 || released < 0)
		return LLONG_MIN;
	return acquired - released;
}

/* VmLck of this process, in kB */
long vmlck_kb(void)
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

/* The default huge page size, from /proc/meminfo; 0 if there is none */
unsigned long huge_page_size(void)
{
	unsigned long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* The /dev/vfio path of the IOMMU group of PCI device @bdf; 0 or -1 */
int group_of(const char *bdf, char *path, size_t len)
{
	char sys[256], link[256], *id;
	ssize_t r;

	snprintf(sys, sizeof(sys), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	r = readlink(sys, link, sizeof(link) - 1);
	if (r < 0)
		return -1;
	link[r] = 0;
	id = strrchr(link, '/');
	snprintf(path, len, "/dev/vfio/%s", id ? id + 1 : link);
	return 0;
}

/* A 32-bit register */
u32 edu_rd32(struct edu *e, u64 off)
{
	u32 v = 0;

	if (pread(e->fd, &v, 4, e->bar0 + off) != 4)
		return ~0U;
	return e->swap ? __builtin_bswap32(v) : v;
}

/* A 64-bit register */
void edu_wr64(struct edu *e, u64 off, u64 v)
{
	if (e->swap)
		v = __builtin_bswap64(v);
	if (pwrite(e->fd, &v, 8, e->bar0 + off) != 8)
		perror("pwrite");
}

/* A 64-bit register */
u64 edu_rd64(struct edu *e, u64 off)
{
	u64 v = 0;

	if (pread(e->fd, &v, 8, e->bar0 + off) != 8)
		return ~0ULL;
	return e->swap ? __builtin_bswap64(v) : v;
}

/* One edu transfer; 0 when the device finished it */
int edu_dma(struct edu *e, u64 src, u64 dst, u32 cnt, int to_ram)
{
	int i;

	edu_wr64(e, EDU_DMA_SRC, src);
	edu_wr64(e, EDU_DMA_DST, dst);
	edu_wr64(e, EDU_DMA_CNT, cnt);
	edu_wr64(e, EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (i = 0; i < 500; i++) {
		if (!(edu_rd32(e, EDU_DMA_CMD) & EDU_CMD_RUN))
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
int edu_round_trip(struct edu *e, u8 *src, u64 src_iova, u8 *dst,
		   u64 dst_iova, size_t n, unsigned int seed)
{
	fill(src, n, seed);
	memset(dst, 0, n);
	if (edu_dma(e, src_iova, EDU_BUF, n, 0) ||
	    edu_dma(e, EDU_BUF, dst_iova, n, 1))
		return -1;
	if (memcmp(src, dst, n))
		return -2;
	e->verified += n;
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

/* MAP_DMA with @flags (VFIO_DMA_MAP_FLAG_*); the ioctl's return */
int dma_map_flags(int c, void *va, u64 iova, u64 size, u32 flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return ioctl(c, VFIO_IOMMU_MAP_DMA, &m);
}

/* MAP_DMA read/write; the ioctl's return */
int dma_map(int c, void *va, u64 iova, u64 size)
{
	return dma_map_flags(c, va, iova, size,
			     VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
}

/* UNMAP_DMA; the ioctl's return */
int dma_unmap(int c, u64 iova, u64 size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = size,
	};

	return ioctl(c, VFIO_IOMMU_UNMAP_DMA, &u);
}

/* (UN)REGISTER_MEMORY; the ioctl's return */
int prereg(int c, unsigned long req, void *va, u64 size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = (uintptr_t)va, .size = size,
	};

	return ioctl(c, req, &r);
}

/* Find BAR0, learn the registers' byte order, enable bus mastering */
int edu_open(struct edu *e, int fd)
{
	struct vfio_region_info reg = {
		.argsz = sizeof(reg), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};

	memset(e, 0, sizeof(*e));
	e->fd = fd;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -1;
	e->bar0 = reg.offset;
	if (edu_rd32(e, EDU_IDENT) == 0xed000001)
		e->swap = 1;
	if (edu_rd32(e, EDU_IDENT) != 0x010000ed)
		return -1;
	return bus_master(fd);
}

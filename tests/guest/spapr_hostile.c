// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr_hostile: a hostile user of an sPAPR TCE VFIO container. Each row
 * below abuses the container in one way (memory that cannot back the
 * mapping, memory that goes away while mapped, a region of another
 * container, a region shared with another container, a forked child, a
 * disabled container, a charge over the limit), then closes every fd it
 * opened and checks two oracles: the process's VmLck is back to where it
 * started, and every page pinned (FOLL_PIN, /proc/vmstat) was released.
 *
 *   spapr_hostile BDF [ours|upstream] [BDF2]
 *
 * BDF is QEMU's edu device, bound to vfio-pci; BDF2 a second one in
 * another IOMMU group (the "other container" row needs two groups).
 * Prints "E2E <tag> <v1|v2> h_<row>_<step> <value>" lines, which
 * scripts/e2e_compare.py puts side by side with the other backend's, and
 * for tag "ours" "VST-RESULT e2e_<ver>_h_<row>_<step> PASS|FAIL", judged
 * against what our backend must answer; last a "SUMMARY" line. Exits 1 if
 * a step of ours failed.
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
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/vfio.h>

#include "vfio_edu.h"

#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/**
 * struct hostile - the run and the row being run
 * @tag: "ours" or "upstream"
 * @ver: "v1" or "v2", the row's container type
 * @v2: @ver is "v2"
 * @bdf: the edu device
 * @bdf2: a second edu device in another group, or NULL
 * @group: /dev/vfio path of @bdf's group
 * @group2: /dev/vfio path of @bdf2's group
 * @psz: the system page size
 * @lck0: VmLck (kB) at start
 * @pin0: pages pinned system-wide at start
 * @failures: steps of ours that failed
 */
struct hostile {
	const char *tag, *ver, *bdf, *bdf2;
	int v2;
	char group[PATH_MAX], group2[PATH_MAX];
	unsigned long psz;
	long lck0;
	long long pin0;
	int failures;
};

/**
 * struct box - a container with one group, and the device if asked for
 * @c: container fd
 * @g: group fd
 * @dev: device fd, or -1
 * @e: the edu device on @dev
 * @info: GET_INFO's answer
 * @start: bus address of the window to map into
 * @size: its size
 */
struct box {
	int c, g, dev;
	struct edu e;
	struct vfio_iommu_spapr_tce_info info;
	u64 start, size;
};

/*
 * Record one step, "h_<name>", with its value. For ours the step passes
 * when the value's first word is @want (NULL: anything, a figure only
 * shown side by side).
 */
static int rec(struct hostile *h, const char *name, const char *want,
	       const char *fmt, ...)
{
	char value[256], step[96];
	va_list ap;
	size_t n;
	int ok;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	n = strcspn(value, " ");
	ok = !want || (strlen(want) == n && !strncmp(value, want, n));
	snprintf(step, sizeof(step), "h_%s", name);
	e2e_print(h->tag, h->ver, step, ok, value);
	if (!ok && !strcmp(h->tag, "ours"))
		h->failures++;
	return ok;
}

/* An ioctl's or a helper's return as an errno name, "0", or a number */
static const char *res(int r)
{
	return err_name(r, errno);
}

/* The same for a code: 0, -errno, or a positive return */
static const char *code_name(int code)
{
	return err_name(code < 0 ? -1 : code, -code);
}

/*
 * Pages pinned now, against the start. A v2 region's pages are unpinned
 * in an RCU callback after its last use goes: wait up to 2 s for the
 * count to come back.
 */
static long long pins_now(struct hostile *h)
{
	long long d = foll_pins() - h->pin0;
	int i;

	for (i = 0; d && i < 200; i++) {
		usleep(10000);
		d = foll_pins() - h->pin0;
	}
	return d;
}

static void box_close(struct box *b)
{
	if (b->dev >= 0)
		close(b->dev);
	if (b->g >= 0)
		close(b->g);
	if (b->c >= 0)
		close(b->c);
	b->c = -1;
	b->g = -1;
	b->dev = -1;
}

/*
 * A container of the row's type holding @group, in QEMU's order; with
 * @bdf, the device opened too. The window is the default 32-bit one.
 * Prints a "<row>_setup" step only when something fails.
 */
static int box_open(struct hostile *h, struct box *b, const char *row,
		    const char *group, const char *bdf)
{
	int type = h->v2 ? VFIO_SPAPR_TCE_v2_IOMMU : VFIO_SPAPR_TCE_IOMMU;
	const char *what;
	char name[64];

	memset(b, 0, sizeof(*b));
	b->g = -1;
	b->dev = -1;
	b->info.argsz = sizeof(b->info);
	what = "open container";
	b->c = open("/dev/vfio/vfio", O_RDWR);
	if (b->c < 0)
		goto fail;
	what = "open group";
	b->g = open(group, O_RDWR);
	if (b->g < 0)
		goto fail;
	what = "SET_CONTAINER";
	if (ioctl(b->g, VFIO_GROUP_SET_CONTAINER, &b->c))
		goto fail;
	what = "SET_IOMMU";
	if (ioctl(b->c, VFIO_SET_IOMMU, type))
		goto fail;
	what = "GET_INFO";
	if (ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &b->info))
		goto fail;
	b->start = b->info.dma32_window_start;
	b->size = b->info.dma32_window_size;
	if (!bdf)
		return 0;
	what = "GET_DEVICE_FD";
	b->dev = ioctl(b->g, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (b->dev < 0)
		goto fail;
	what = "edu_open";
	errno = EIO;
	if (edu_open(&b->e, b->dev))
		goto fail;
	return 0;

fail:
	snprintf(name, sizeof(name), "%s_setup", row);
	rec(h, name, "0", "%s %s", what, res(-1));
	box_close(b);
	return -1;
}

/* v2: replace the default window by one of 2^@shift pages, @size bytes */
static int box_window(struct box *b, unsigned int shift, u64 size,
		      const char **remove_res)
{
	struct vfio_iommu_spapr_tce_remove rm = {
		.argsz = sizeof(rm), .start_addr = b->info.dma32_window_start,
	};
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = shift,
		.window_size = size, .levels = 1,
	};
	int r;

	r = ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
	if (remove_res)
		*remove_res = res(r);
	if (r)
		return r;
	r = ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
	if (!r) {
		b->start = cr.start_addr;
		b->size = cr.window_size;
	}
	return r;
}

/*
 * Two containers of the row's type at once, A holding the second group
 * and B the first, each with its default window: a group is in one
 * container at a time. 0, or -1 with a "<row>_setup" step recorded and
 * nothing left open.
 */
static int box_pair_open(struct hostile *h, const char *row, struct box *a,
			 struct box *b)
{
	char name[64];

	if (!h->bdf2) {
		snprintf(name, sizeof(name), "%s_setup", row);
		rec(h, name, "0", "skip: one iommu group only");
		return -1;
	}
	if (box_open(h, a, row, h->group2, NULL))
		return -1;
	if (box_open(h, b, row, h->group, NULL)) {
		box_close(a);
		return -1;
	}
	return 0;
}

static void *anon(size_t size, int prot, int flags)
{
	void *p = mmap(NULL, size, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | flags, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Through the edu device alone, without touching @x: copy a pattern from
 * @y into the page at bus address @x_iova, then from there back into
 * @y's second half; 0 if it came back intact. @y (mapped at @y_iova) is
 * @y_len bytes of live memory; @x_iova may map memory no longer mapped
 * in this process.
 */
static int edu_through(struct edu *e, u8 *y, u64 y_iova, size_t y_len,
		       u64 x_iova)
{
	size_t n = y_len / 2 > EDU_BUF_MAX ? EDU_BUF_MAX : y_len / 2, i;

	for (i = 0; i < n; i++)
		y[i] = (u8)(i * 5 + 3);
	memset(y + y_len / 2, 0, n);
	if (edu_dma(e, y_iova, EDU_BUF, n, 0) ||
	    edu_dma(e, EDU_BUF, x_iova, n, 1))
		return -1;
	/* Overwrite the device's buffer, so that only @x_iova has it */
	memset(y, 0xee, n);
	if (edu_dma(e, y_iova, EDU_BUF, n, 0) ||
	    edu_dma(e, x_iova, EDU_BUF, n, 0) ||
	    edu_dma(e, EDU_BUF, y_iova + y_len / 2, n, 1))
		return -1;
	for (i = 0; i < n; i++)
		if (y[y_len / 2 + i] != (u8)(i * 5 + 3))
			return -2;
	e->verified += n;
	return 0;
}

/*
 * Row mixed_pagesize (v2): a region whose first half is one hugetlb page
 * and whose second half is ordinary pages. mm_iommu_new() gives the
 * region the huge page's shift (it keeps the shift of the last huge page
 * it saw for the small pages after it), so the region promises huge
 * IOMMU pages over small system pages. A huge IOMMU page over the small
 * half would let the device reach the memory around those pages, which
 * nobody pinned: ours refuses it with EPERM. The real huge page maps,
 * and the device reaches it. The IOMMU page is the huge page's size if
 * the platform has it, else the biggest size between the two page sizes.
 */
static void row_mixed_pagesize(struct hostile *h)
{
	unsigned long huge = huge_page_size(), a;
	unsigned int shift, sshift = __builtin_ctzl(h->psz);
	unsigned long long pgsizes;
	const char *rm_res;
	u8 *hp, *small;
	struct box b;
	int r;

	if (!huge) {
		/* make check requires hugetlb where the machine has it */
		printf("E2E-NOTE %s: no hugetlb in this boot, row mixed not run\n",
		       h->tag);
		return;
	}
	shift = __builtin_ctzl(huge);
	/*
	 * Hash MMU (16M huge pages): low slices are 256M, so A..A+16M is the
	 * tail of one slice (made a 16M slice) and A+16M starts the next,
	 * which keeps the base page size. Radix: any aligned free address.
	 */
	if (huge == 16UL << 20)
		a = 0x7f000000UL;
	else
		a = 0x7e000000UL & ~(huge - 1);
	hp = mmap((void *)a, huge, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
		  MAP_FIXED_NOREPLACE, -1, 0);
	if (hp == MAP_FAILED) {
		rec(h, "mixed_setup", "0", "%s hugetlb mmap of %luK at %#lx",
		    res(-1), huge >> 10, a);
		return;
	}
	small = mmap(hp + huge, huge, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (small == MAP_FAILED) {
		rec(h, "mixed_setup", "0", "%s small mmap at %#lx", res(-1),
		    a + huge);
		munmap(hp, huge);
		return;
	}
	/* Small pages: no transparent huge page may make them contiguous */
	madvise(small, huge, MADV_NOHUGEPAGE);
	memset(hp, 0x11, huge);
	memset(small, 0x22, huge);
	printf("E2E-NOTE %s: huge page %luK at %#lx, small pages after it\n",
	       h->tag, huge >> 10, a);

	if (box_open(h, &b, "mixed", h->group, h->bdf))
		goto out;
	r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, hp, 2 * huge);
	rec(h, "mixed_register", "0", "%s", res(r));
	/*
	 * The IOMMU page: the huge page's size, else the biggest the
	 * platform has below it but above a system page (powernv has 2M,
	 * not 16M); no such size is not a failure of ours.
	 */
	pgsizes = b.info.flags & VFIO_IOMMU_SPAPR_INFO_DDW ?
		  b.info.ddw.pgsizes : 0;
	while (shift > sshift && !(pgsizes & (1ULL << shift)))
		shift--;
	if (shift <= sshift) {
		rec(h, "mixed_create", "skip",
		    "skip (no IOMMU page over %luK up to %luK, pgsizes %#llx)",
		    h->psz >> 10, huge >> 10, (unsigned long long)pgsizes);
		goto close;
	}
	r = box_window(&b, shift, huge * 4 > 1UL << 30 ? huge * 4 : 1UL << 30,
		       &rm_res);
	rec(h, "mixed_remove_default", "0", "%s", rm_res);
	rec(h, "mixed_create", "0", "%s shift=%u", res(r), shift);
	if (r)
		goto close;
	/* The small half, at the window's start: not in one pinned page */
	r = dma_map(b.c, small, b.start, huge);
	rec(h, "mixed_map_small", "EPERM", "%s", res(r));
	/* The huge page, at the next IOMMU page */
	r = dma_map(b.c, hp, b.start + huge, huge);
	rec(h, "mixed_map_huge", "0", "%s", res(r));
	if (!r) {
		r = edu_round_trip(&b.e, hp + 4096, b.start + huge + 4096,
				   hp + huge / 2, b.start + huge + huge / 2,
				   EDU_BUF_MAX, 21);
		rec(h, "mixed_dma", "0", "%s", r ? "mismatch" : "0");
	}
	r = dma_unmap(b.c, b.start, b.size);
	rec(h, "mixed_unmap", "0", "%s", res(r));
close:
	box_close(&b);
out:
	munmap(small, huge);
	munmap(hp, huge);
}

/*
 * Row ro_map_writable (v1): a read-only page (the zero page, populated)
 * cannot be pinned for the device to write: EFAULT. For reading it can.
 */
static void row_ro_map_writable(struct hostile *h)
{
	u8 *ro = anon(h->psz, PROT_READ, 0);
	struct box b;
	int r;

	if (!ro) {
		rec(h, "romap_setup", "0", "mmap %s", res(-1));
		return;
	}
	if (box_open(h, &b, "romap", h->group, NULL))
		goto out;
	r = ioctl(b.c, VFIO_IOMMU_ENABLE);
	rec(h, "romap_enable", "0", "%s", res(r));
	r = dma_map_flags(b.c, ro, b.start, h->psz, RW);
	rec(h, "romap_map_rw", "EFAULT", "%s", res(r));
	r = dma_map_flags(b.c, ro, b.start + h->psz, h->psz,
			  VFIO_DMA_MAP_FLAG_WRITE);
	rec(h, "romap_map_wo", "EFAULT", "%s", res(r));
	r = dma_map_flags(b.c, ro, b.start, h->psz, VFIO_DMA_MAP_FLAG_READ);
	rec(h, "romap_map_ro", "0", "%s", res(r));
	r = dma_unmap(b.c, b.start, 2 * h->psz);
	rec(h, "romap_unmap", "0", "%s", res(r));
	box_close(&b);
out:
	munmap(ro, h->psz);
}

/*
 * Row ro_register (v2): read-only memory cannot be registered (the region
 * is pinned for writing). Two writable pages and two read-only ones: the
 * call fails as a whole, with nothing left pinned or charged; upstream
 * returns the count of pages it could pin, as if it were a success.
 */
static void row_ro_register(struct hostile *h)
{
	size_t psz = h->psz;
	u8 *ro = anon(psz, PROT_READ, 0), *p = anon(4 * psz,
						     PROT_READ | PROT_WRITE, 0);
	long long pins;
	struct box b;
	long lck;
	int r;

	if (!ro || !p || mprotect(p + 2 * psz, 2 * psz, PROT_READ)) {
		rec(h, "roreg_setup", "0", "mmap %s", res(-1));
		goto out;
	}
	if (box_open(h, &b, "roreg", h->group, NULL))
		goto out;
	r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, ro, psz);
	rec(h, "roreg_register", "EFAULT", "%s", res(r));
	r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, p, 4 * psz);
	rec(h, "roreg_partial", "EFAULT", "%s", res(r));
	lck = vmlck_kb();
	pins = pins_now(h);
	rec(h, "roreg_partial_vmlck", "0", "%ld", lck - h->lck0);
	rec(h, "roreg_partial_pins", "0", "%lld", pins);
	r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, p, 2 * psz);
	rec(h, "roreg_first_two", "0", "%s", res(r));
	r = prereg(b.c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, p, 2 * psz);
	rec(h, "roreg_unregister", "0", "%s", res(r));
	box_close(&b);
out:
	if (ro)
		munmap(ro, psz);
	if (p)
		munmap(p, 4 * psz);
}

/*
 * Row munmap_mapped (v1, v2): the process unmaps memory the device still
 * has mapped. The pages stay pinned for the device: DMA through the iova
 * still reaches them; UNMAP (and v2 UNREGISTER) then let them go.
 */
static void row_munmap_mapped(struct hostile *h)
{
	size_t psz = h->psz;
	u8 *x = anon(4 * psz, PROT_READ | PROT_WRITE, 0);
	u8 *y = anon(2 * psz, PROT_READ | PROT_WRITE, 0);
	struct box b;
	int r, x_gone = 0;

	if (!x || !y) {
		rec(h, "munmap_setup", "0", "mmap %s", res(-1));
		goto out;
	}
	if (box_open(h, &b, "munmap", h->group, h->bdf))
		goto out;
	if (h->v2) {
		r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, x, 4 * psz);
		if (!r)
			r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, y,
				   2 * psz);
		rec(h, "munmap_register", "0", "%s", res(r));
		r = box_window(&b, __builtin_ctzl(psz), 1ULL << 30, NULL);
		rec(h, "munmap_window", "0", "%s", res(r));
	} else {
		r = ioctl(b.c, VFIO_IOMMU_ENABLE);
		rec(h, "munmap_enable", "0", "%s", res(r));
	}
	r = dma_map(b.c, x, b.start, 4 * psz);
	if (!r)
		r = dma_map(b.c, y, b.start + 4 * psz, 2 * psz);
	rec(h, "munmap_map", "0", "%s", res(r));
	r = munmap(x, 4 * psz);
	x_gone = !r;
	rec(h, "munmap_munmap", "0", "%s", res(r));
	/* Through the second page of what was x */
	r = edu_through(&b.e, y, b.start + 4 * psz, 2 * psz,
			b.start + psz + 256);
	rec(h, "munmap_dma", "0", "%s",
	    r ? (r == -1 ? "timeout" : "mismatch") : "0");
	r = dma_unmap(b.c, b.start, 6 * psz);
	rec(h, "munmap_unmap", "0", "%s", res(r));
	if (h->v2) {
		r = prereg(b.c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, x, 4 * psz);
		rec(h, "munmap_unregister_gone", "0", "%s", res(r));
		r = prereg(b.c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, y, 2 * psz);
		rec(h, "munmap_unregister", "0", "%s", res(r));
	}
	box_close(&b);
out:
	if (x && !x_gone)
		munmap(x, 4 * psz);
	if (y)
		munmap(y, 2 * psz);
}

/*
 * Row other_container_region (v2): container B maps memory that only
 * container A registered. Both are this process's, so the mm knows the
 * region, but A may drop it at any time (UNREGISTER, or A's release)
 * while B's TCEs still point at it: ours maps only regions the
 * container itself registered (EINVAL), upstream any of the mm's.
 *
 * Why two groups: a group is in one container at a time, VFIO_SET_IOMMU
 * needs a group in the container, and when the last group leaves a
 * container (VFIO_GROUP_UNSET_CONTAINER, refused while a device fd is
 * open, or the close of the group) the VFIO core releases the
 * container's backend, and its registrations with it. So with one group,
 * A's region is gone by the time the group can be in B; A (group 2) and B
 * (group 1) must hold a group each at the same time.
 */
static void row_other_container_region(struct hostile *h)
{
	size_t psz = h->psz;
	u8 *ra = anon(2 * psz, PROT_READ | PROT_WRITE, 0);
	u8 *rb = anon(2 * psz, PROT_READ | PROT_WRITE, 0);
	struct box a, b;
	int r;

	if (!ra || !rb) {
		rec(h, "other_setup", "0", "mmap %s", res(-1));
		goto out;
	}
	if (box_pair_open(h, "other", &a, &b))
		goto out;
	r = prereg(a.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, ra, 2 * psz);
	rec(h, "other_register_a", "0", "%s", res(r));
	r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, rb, 2 * psz);
	rec(h, "other_register_b", "0", "%s", res(r));
	r = box_window(&b, __builtin_ctzl(psz), 1ULL << 30, NULL);
	rec(h, "other_window_b", "0", "%s", res(r));
	r = dma_map(b.c, rb, b.start, 2 * psz);
	rec(h, "other_map_own", "0", "%s", res(r));
	r = dma_map(b.c, ra, b.start + 2 * psz, 2 * psz);
	rec(h, "other_map_a_region", "EINVAL", "%s", res(r));
	r = dma_unmap(b.c, b.start, 4 * psz);
	rec(h, "other_unmap", "0", "%s", res(r));
	box_close(&b);
	box_close(&a);
out:
	if (ra)
		munmap(ra, 2 * psz);
	if (rb)
		munmap(rb, 2 * psz);
}

/*
 * Row shared (v2): containers A (group 2) and B (group 1) of this process
 * register the same range; the mm has one region, with a use for each. A
 * maps through it, then gives its use back. Ours refuses (EBUSY) while
 * A's TCEs map the region. Upstream returns 0, keeping A's TCEs on a
 * region A no longer holds: closing B would then warn and leave the
 * region pinned to nobody. The row registers it in A again before
 * anything is closed, which repairs upstream's state (and is EBUSY for
 * ours, where A still holds it), so that the oracles can judge the rest.
 */
static void row_shared_region(struct hostile *h)
{
	size_t psz = h->psz;
	u8 *r0 = anon(2 * psz, PROT_READ | PROT_WRITE, 0);
	struct box a, b;
	int r;

	if (!r0) {
		rec(h, "shared_setup", "0", "mmap %s", res(-1));
		return;
	}
	if (box_pair_open(h, "shared", &a, &b))
		goto out;
	r = prereg(a.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, r0, 2 * psz);
	rec(h, "shared_register_a", "0", "%s", res(r));
	r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, r0, 2 * psz);
	rec(h, "shared_register_b", "0", "%s", res(r));
	r = box_window(&a, __builtin_ctzl(psz), 1ULL << 30, NULL);
	rec(h, "shared_window_a", "0", "%s", res(r));
	r = dma_map(a.c, r0, a.start, 2 * psz);
	rec(h, "shared_map_a", "0", "%s", res(r));
	r = prereg(a.c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, r0, 2 * psz);
	rec(h, "shared_unregister_mapped", "EBUSY", "%s", res(r));
	r = prereg(a.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, r0, 2 * psz);
	rec(h, "shared_register_again", "EBUSY", "%s", res(r));
	r = dma_unmap(a.c, a.start, 2 * psz);
	rec(h, "shared_unmap_a", "0", "%s", res(r));
	r = prereg(a.c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, r0, 2 * psz);
	rec(h, "shared_unregister_unmapped", "0", "%s", res(r));
	box_close(&b);
	box_close(&a);
out:
	munmap(r0, 2 * psz);
}

/*
 * A forked child that runs one operation at a time on the container fd it
 * inherited, at its parent's request, and sends back the result.
 */
struct peer {
	pid_t pid;
	int to, from;
};

/* What the child (or the parent) may be asked to run */
enum {
	OP_MAP = 'M',
	OP_UNMAP = 'U',
	OP_REGISTER = 'R',
	OP_UNREGISTER = 'X',
	OP_INFO = 'I',
};

/**
 * struct op_args - what the operations work on
 * @c: the container fd
 * @va: memory to map or register
 * @iova: where MAP and UNMAP put it
 * @size: bytes
 */
struct op_args {
	int c;
	void *va;
	u64 iova, size;
};

/* Run @op; 0, -errno, or a positive return */
static int op_run(const struct op_args *o, int op)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	int r;

	switch (op) {
	case OP_MAP:
		r = dma_map(o->c, o->va, o->iova, o->size);
		break;
	case OP_UNMAP:
		r = dma_unmap(o->c, o->iova, o->size);
		break;
	case OP_REGISTER:
		r = prereg(o->c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, o->va,
			   o->size);
		break;
	case OP_UNREGISTER:
		r = prereg(o->c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, o->va,
			   o->size);
		break;
	case OP_INFO:
		r = ioctl(o->c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info);
		break;
	default:
		return -EINVAL;
	}
	return r < 0 ? -errno : r;
}

/* Fork the child; it waits for operations until its pipe closes */
static int peer_start(struct peer *p, const struct op_args *o)
{
	int down[2], up[2];
	char op;

	if (pipe(down))
		return -1;
	if (pipe(up)) {
		close(down[0]);
		close(down[1]);
		return -1;
	}
	fflush(stdout);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (!p->pid) {
		close(down[1]);
		close(up[0]);
		while (read(down[0], &op, 1) == 1) {
			int code = op_run(o, op);

			if (write(up[1], &code, sizeof(code)) != sizeof(code))
				break;
		}
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	p->to = down[1];
	p->from = up[0];
	return 0;
}

/* Ask the child to run @op */
static int peer_send(struct peer *p, int op)
{
	char c = op;

	return write(p->to, &c, 1) == 1 ? 0 : -EIO;
}

/* The child's result of the operation last sent */
static int peer_result(struct peer *p)
{
	int code;

	return read(p->from, &code, sizeof(code)) == sizeof(code) ? code
								   : -EIO;
}

static int peer_op(struct peer *p, int op)
{
	int r = peer_send(p, op);

	return r ? r : peer_result(p);
}

/* Let the child exit; its exit status */
static int peer_stop(struct peer *p)
{
	int status = -1;

	close(p->to);
	close(p->from);
	if (waitpid(p->pid, &status, 0) != p->pid)
		return -1;
	return status;
}

/*
 * Row fork_child (v1, v2): the container is bound to the parent (v1
 * ENABLE, v2 REGISTER); a forked child, with the container fd and the
 * parent's memory at the same addresses, must get EPERM for everything,
 * GET_INFO too (a child that could MAP would pin its own pages into the
 * parent's container, charged to the parent, or map the parent's v2
 * regions). The parent still maps and DMAs afterwards.
 */
static void row_fork_child(struct hostile *h)
{
	size_t psz = h->psz;
	u8 *buf = anon(4 * psz, PROT_READ | PROT_WRITE, 0);
	struct op_args o;
	struct peer p;
	struct box b;
	int r;

	if (!buf) {
		rec(h, "fork_setup", "0", "mmap %s", res(-1));
		return;
	}
	if (box_open(h, &b, "fork", h->group, h->bdf))
		goto out;
	if (h->v2) {
		r = prereg(b.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, buf,
			   4 * psz);
		rec(h, "fork_register", "0", "%s", res(r));
		r = box_window(&b, __builtin_ctzl(psz), 1ULL << 30, NULL);
		rec(h, "fork_window", "0", "%s", res(r));
	} else {
		r = ioctl(b.c, VFIO_IOMMU_ENABLE);
		rec(h, "fork_enable", "0", "%s", res(r));
	}
	/* The child works on the last two pages, the parent the first two */
	o = (struct op_args){ .c = b.c, .va = buf + 2 * psz,
			      .iova = b.start + 2 * psz, .size = 2 * psz };
	if (peer_start(&p, &o)) {
		rec(h, "fork_setup", "0", "fork %s", res(-1));
		goto close;
	}
	rec(h, "fork_child_map", "EPERM", "%s", code_name(peer_op(&p, OP_MAP)));
	rec(h, "fork_child_unmap", "EPERM", "%s",
	    code_name(peer_op(&p, OP_UNMAP)));
	if (h->v2)
		rec(h, "fork_child_register", "EPERM", "%s",
		    code_name(peer_op(&p, OP_REGISTER)));
	rec(h, "fork_child_get_info", "EPERM", "%s",
	    code_name(peer_op(&p, OP_INFO)));
	r = peer_stop(&p);
	rec(h, "fork_child_exit", "0", "%s", r ? "failed" : "0");
	r = dma_map(b.c, buf, b.start, 2 * psz);
	rec(h, "fork_parent_map", "0", "%s", res(r));
	r = edu_round_trip(&b.e, buf, b.start, buf + psz, b.start + psz,
			   EDU_BUF_MAX, 6);
	rec(h, "fork_parent_dma", "0", "%s", r ? "mismatch" : "0");
	r = dma_unmap(b.c, b.start, 4 * psz);
	rec(h, "fork_parent_unmap", "0", "%s", res(r));
close:
	box_close(&b);
out:
	munmap(buf, 4 * psz);
}

/*
 * Row fork_race (v2): a v2 container not bound to any mm yet; parent and
 * forked child both REGISTER (the same address, each its own memory).
 * Exactly one binds the container; the other gets EPERM, and from then on
 * only the winner's ioctls work: not even the loser's GET_INFO, nor its
 * UNREGISTER of the same address (which, looked up in the winner's mm,
 * would drop the winner's region). Which process won is printed as a
 * note; the steps are named by role, so both backends' lines compare.
 */
static void row_fork_race(struct hostile *h)
{
	size_t psz = h->psz;
	u8 *buf = anon(2 * psz, PROT_READ | PROT_WRITE, 0);
	int mine, child, parent_won, won, lost;
	struct op_args o;
	struct peer p;
	struct box b;

	if (!buf) {
		rec(h, "race_setup", "0", "mmap %s", res(-1));
		return;
	}
	if (box_open(h, &b, "race", h->group, NULL))
		goto out;
	o = (struct op_args){ .c = b.c, .va = buf, .iova = b.start,
			      .size = 2 * psz };
	if (peer_start(&p, &o)) {
		rec(h, "race_setup", "0", "fork %s", res(-1));
		goto close;
	}
	/* Both at once: the child is woken while the parent goes on */
	peer_send(&p, OP_REGISTER);
	mine = op_run(&o, OP_REGISTER);
	child = peer_result(&p);
	parent_won = !mine;
	rec(h, "race_bound", "1", "%d", !mine + !child);
	printf("E2E-NOTE %s: REGISTER race: parent %s, child %s\n", h->tag,
	       code_name(mine), code_name(child));
	rec(h, "race_loser_register", "EPERM", "%s",
	    code_name(parent_won ? child : mine));
	/* The loser first: what may it still do? */
	lost = parent_won ? peer_op(&p, OP_INFO) : op_run(&o, OP_INFO);
	rec(h, "race_loser_get_info", "EPERM", "%s", code_name(lost));
	lost = parent_won ? peer_op(&p, OP_UNREGISTER) :
			    op_run(&o, OP_UNREGISTER);
	rec(h, "race_loser_unregister", "EPERM", "%s", code_name(lost));
	won = parent_won ? op_run(&o, OP_INFO) : peer_op(&p, OP_INFO);
	rec(h, "race_winner_get_info", "0", "%s", code_name(won));
	won = parent_won ? op_run(&o, OP_UNREGISTER) :
			   peer_op(&p, OP_UNREGISTER);
	rec(h, "race_winner_unregister", "0", "%s", code_name(won));
	rec(h, "race_child_exit", "0", "%s", peer_stop(&p) ? "failed" : "0");
close:
	box_close(&b);
out:
	munmap(buf, 2 * psz);
}

/*
 * Row disable_mapped (v1): DISABLE a container with live mappings. It
 * uncharges the window, so it must not leave pages pinned: ours clears
 * every mapping, and the pins are back right after DISABLE (upstream
 * keeps them, pinned and no longer charged). MAP and UNMAP then need
 * ENABLE again, after which the container maps as before. No DMA here:
 * on powernv opening and closing the device costs seconds (its reset).
 */
static void row_disable_mapped(struct hostile *h)
{
	size_t psz = h->psz;
	u8 *buf = anon(4 * psz, PROT_READ | PROT_WRITE, 0);
	long lck_on, table_kb;
	struct box b;
	int r;

	if (!buf) {
		rec(h, "disable_setup", "0", "mmap %s", res(-1));
		return;
	}
	if (box_open(h, &b, "disable", h->group, NULL))
		goto out;
	r = ioctl(b.c, VFIO_IOMMU_ENABLE);
	rec(h, "disable_enable", "0", "%s", res(r));
	lck_on = vmlck_kb();
	r = dma_map(b.c, buf, b.start, 4 * psz);
	/* The first MAP made the default window: its table is charged */
	table_kb = vmlck_kb() - lck_on;
	rec(h, "disable_map", "0", "%s", res(r));
	r = ioctl(b.c, VFIO_IOMMU_DISABLE);
	rec(h, "disable_disable", "0", "%s", res(r));
	rec(h, "disable_pins_after", "0", "%lld", pins_now(h));
	/* The table stays (and stays charged) until the group leaves */
	rec(h, "disable_vmlck_after", "0", "%ld table=%ldkB",
	    vmlck_kb() - h->lck0 - table_kb, table_kb);
	r = dma_unmap(b.c, b.start, 4 * psz);
	rec(h, "disable_unmap", "EPERM", "%s", res(r));
	r = dma_map(b.c, buf, b.start, 4 * psz);
	rec(h, "disable_map_disabled", "EPERM", "%s", res(r));
	r = ioctl(b.c, VFIO_IOMMU_ENABLE);
	rec(h, "disable_reenable", "0", "%s", res(r));
	r = dma_map(b.c, buf, b.start, 4 * psz);
	rec(h, "disable_remap", "0", "%s", res(r));
	r = dma_unmap(b.c, b.start, 4 * psz);
	rec(h, "disable_unmap_enabled", "0", "%s", res(r));
	box_close(&b);
out:
	munmap(buf, 4 * psz);
}

/* Raise or drop CAP_IPC_LOCK in the effective set; 0 or -1 */
static int cap_ipc_lock(int on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i = CAP_TO_INDEX(CAP_IPC_LOCK);

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (on)
		data[i].effective |= CAP_TO_MASK(CAP_IPC_LOCK);
	else
		data[i].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	return syscall(SYS_capset, &hdr, data);
}

/*
 * Row create_charge_fail (v2): TCE_CREATE over RLIMIT_MEMLOCK, without
 * CAP_IPC_LOCK: the new window's table cannot be charged, so ENOMEM, with
 * nothing charged and no window left behind (on pseries the window is
 * made by the firmware); raised to no limit, the same TCE_CREATE works.
 */
static void row_create_charge_fail(struct hostile *h)
{
	struct rlimit old, lim = { 0, RLIM_INFINITY };
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = 16,
		.window_size = 1ULL << 30, .levels = 1,
	};
	struct box b;
	int r;

	if (box_open(h, &b, "charge", h->group, NULL))
		return;
	if (getrlimit(RLIMIT_MEMLOCK, &old) ||
	    setrlimit(RLIMIT_MEMLOCK, &lim) || cap_ipc_lock(0)) {
		rec(h, "charge_setup", "0", "limits %s", res(-1));
		goto close;
	}
	rm.start_addr = b.info.dma32_window_start;
	r = ioctl(b.c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
	rec(h, "charge_remove_default", "0", "%s", res(r));
	r = ioctl(b.c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
	rec(h, "charge_create_limited", "ENOMEM", "%s", res(r));
	rec(h, "charge_vmlck_failed", "0", "%ld", vmlck_kb() - h->lck0);
	lim.rlim_cur = RLIM_INFINITY;
	if (setrlimit(RLIMIT_MEMLOCK, &lim))
		rec(h, "charge_setup", "0", "raise %s", res(-1));
	r = ioctl(b.c, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
	rec(h, "charge_create", "0", "%s", res(r));
	if (!r) {
		rm.start_addr = cr.start_addr;
		r = ioctl(b.c, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
		rec(h, "charge_remove", "0", "%s", res(r));
	}
	if (cap_ipc_lock(1) || setrlimit(RLIMIT_MEMLOCK, &old))
		rec(h, "charge_setup", "0", "restore %s", res(-1));
close:
	box_close(&b);
}

/**
 * struct row - one way of abusing a container
 * @name: short name, the prefix of its steps
 * @ver: "v1" or "v2"
 * @run: the row; it closes every fd it opened
 */
struct row {
	const char *name, *ver;
	void (*run)(struct hostile *h);
};

static const struct row rows[] = {
	{ "mixed", "v2", row_mixed_pagesize },
	{ "romap", "v1", row_ro_map_writable },
	{ "roreg", "v2", row_ro_register },
	{ "munmap", "v1", row_munmap_mapped },
	{ "munmap", "v2", row_munmap_mapped },
	{ "other", "v2", row_other_container_region },
	{ "shared", "v2", row_shared_region },
	{ "fork", "v1", row_fork_child },
	{ "fork", "v2", row_fork_child },
	{ "race", "v2", row_fork_race },
	{ "disable", "v1", row_disable_mapped },
	{ "charge", "v2", row_create_charge_fail },
};

/* After a row, its fds closed: nothing charged, nothing pinned */
static void oracles(struct hostile *h, const char *row)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_vmlck", row);
	rec(h, name, "0", "%ld", vmlck_kb() - h->lck0);
	snprintf(name, sizeof(name), "%s_pins", row);
	rec(h, name, "0", "%lld", pins_now(h));
}

int main(int argc, char **argv)
{
	struct hostile h = { 0 };
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [tag] [BDF2]\n", argv[0]);
		return 2;
	}
	h.bdf = argv[1];
	h.tag = argc > 2 ? argv[2] : "ours";
	h.bdf2 = argc > 3 && argv[3][0] ? argv[3] : NULL;
	h.psz = sysconf(_SC_PAGESIZE);
	if (group_of(h.bdf, h.group, sizeof(h.group)) ||
	    (h.bdf2 && group_of(h.bdf2, h.group2, sizeof(h.group2)))) {
		fprintf(stderr, "spapr_hostile: no iommu group\n");
		return 2;
	}
	h.lck0 = vmlck_kb();
	h.pin0 = foll_pins();
	if (h.lck0 < 0 || h.pin0 == LLONG_MIN) {
		fprintf(stderr, "spapr_hostile: no VmLck or FOLL_PIN counts\n");
		return 2;
	}

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		h.ver = rows[i].ver;
		h.v2 = !strcmp(h.ver, "v2");
		rows[i].run(&h);
		oracles(&h, rows[i].name);
	}
	printf("SUMMARY %s hostile: device %s, second %s, %d failed steps\n",
	       h.tag, h.bdf, h.bdf2 ? h.bdf2 : "none", h.failures);
	return h.failures ? 1 : 0;
}

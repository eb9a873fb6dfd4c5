// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr_fuzz: seeded random sequences of container, group and IOMMU
 * ioctls, the way nobody means to call them, on up to three containers
 * and two IOMMU groups at once: SET_CONTAINER/UNSET_CONTAINER, SET_IOMMU
 * (v1, v2, invalid), CHECK_EXTENSION, GET_INFO with every kind of argsz,
 * ENABLE/DISABLE, MAP/UNMAP with addresses and sizes at the boundaries,
 * REGISTER/UNREGISTER of whole, partial, overlapping and unaligned
 * ranges, TCE_CREATE/REMOVE with random geometry, EEH_PE_OP with random
 * operations, memory that is anonymous, read-only, shared (memfd),
 * transparent huge or hugetlb, unmapped while mapped or registered, and a
 * forked child using the parent's fds. After the first read-write MAPs
 * into a container whose group and memory it can vouch for, the group's
 * edu device copies data through the new mapping (a fresh device fd each
 * time), and the data must arrive where the mapping says. After the run every fd is closed
 * and every buffer unmapped; the process's VmLck and the pages pinned
 * system-wide must be back where they started. The host checks the
 * console (no kernel report) and that the guest did not hang.
 *
 *   spapr_fuzz TAG SEED OPS BDF [BDF2]
 *
 * Prints its seed first; on a failed oracle, the last operations, so
 * that a run can be replayed with the same seed. Result lines:
 * "VST-RESULT fuzz_<TAG>_<SEED>_{vmlck,pins,dma} PASS|FAIL". Exits 1 if
 * one failed.
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vfio_edu.h"

#define NCONT		3
#define NGROUP		2
#define NWIN		2
#define RING		32
/* Device opens are slow on powernv9 (a reset each, ~10 s): a few a seed */
#define DMA_CHECKS	2
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The kinds of user memory the buffers are */
enum buf_kind { B_ANON, B_RO, B_SHMEM, B_THP, B_HUGE, B_KINDS };

static const char * const kind_name[B_KINDS] = {
	"anon", "ro", "shmem", "thp", "huge",
};

/**
 * struct buf - one buffer of user memory the operations use
 * @p: its address, or NULL if it could not be made
 * @len: its length
 * @kind: what memory it is
 */
struct buf {
	u8 *p;
	size_t len;
	enum buf_kind kind;
};

/**
 * struct fz - the fuzzer's state
 * @rng: xorshift64* state
 * @psz: system page size
 * @huge: hugetlb page size, 0 if none
 * @c: container fds, -1 if closed
 * @g: group fds (always open)
 * @gpath: the groups' /dev/vfio paths
 * @bdf: the groups' edu devices
 * @gc: the container index each group was set to, -1 if none
 * @gknown: @gc is known to be true: not since a forked child, which may
 *	have moved the group, unless this process set or unset it since
 * @type: per container, the IOMMU type SET_IOMMU gave it, 0 if none
 * @tknown: @type is known: this process set it since the last fork
 * @win: per container, windows seen (GET_INFO, TCE_CREATE): start, size
 * @bufs: the buffers, one of each kind
 * @gone: an address that was mapped and no longer is
 * @ring: the last operations, as text
 * @nops: operations run so far
 * @stat: per operation name, how many calls succeeded and failed
 * @dma_bad: DMA checks whose data did not arrive where the mapping said
 * @dma_done: DMA checks made
 * @epoch: a clock for @made and @reg
 * @made: per buffer, when it was last (re)made
 * @reg: per container and buffer, when this process registered the whole
 *	buffer there; 0 if it did not since the container got its backend
 * @trace: SPAPR_FUZZ_TRACE is set: print every operation with the
 *	monotonic time, to line it up with kernel reports
 */
struct fz {
	u64 rng;
	unsigned long psz, huge;
	int c[NCONT], g[NGROUP], gc[NGROUP], gknown[NGROUP], ngroups;
	unsigned long type[NCONT];
	int tknown[NCONT];
	char gpath[NGROUP][PATH_MAX];
	const char *bdf[NGROUP];
	u64 win[NCONT][NWIN][2];
	struct buf bufs[B_KINDS];
	u8 *gone;
	char ring[RING][128];
	unsigned long nops;
	struct { char name[20]; unsigned long ok, err; } stat[24];
	unsigned long dma_bad, dma_done, epoch;
	unsigned long made[B_KINDS], reg[NCONT][B_KINDS];
	int trace;
};

static u64 rnd(struct fz *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static u64 below(struct fz *f, u64 n)
{
	return n ? rnd(f) % n : 0;
}

/*
 * Note an operation in the ring, and count its result (@r: the ioctl's,
 * negative on failure) under its name, the first word of the text
 */
static void note(struct fz *f, int r, const char *fmt, ...)
{
	char *line = f->ring[f->nops % RING];
	size_t n, i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(f->ring[0]), fmt, ap);
	va_end(ap);
	f->nops++;
	if (f->trace) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("FUZZ-OP %ld.%06ld #%lu %s\n", (long)ts.tv_sec,
		       ts.tv_nsec / 1000, f->nops - 1, line);
	}
	n = strcspn(line, " ");
	if (n >= sizeof(f->stat[0].name))
		n = sizeof(f->stat[0].name) - 1;
	for (i = 0; i < ARRAY_SIZE(f->stat); i++) {
		if (!f->stat[i].name[0])
			memcpy(f->stat[i].name, line, n);
		if (!strncmp(f->stat[i].name, line, n) && !f->stat[i].name[n])
			break;
	}
	if (i == ARRAY_SIZE(f->stat))
		return;
	if (r < 0)
		f->stat[i].err++;
	else
		f->stat[i].ok++;
}

/* What succeeded: a run whose MAPs all fail tests little */
static void print_stats(struct fz *f)
{
	size_t i;

	printf("FUZZ calls (succeeded/failed):");
	for (i = 0; i < ARRAY_SIZE(f->stat) && f->stat[i].name[0]; i++)
		printf(" %s %lu/%lu", f->stat[i].name, f->stat[i].ok,
		       f->stat[i].err);
	printf("\n");
}

static void dump_ring(struct fz *f)
{
	unsigned long i = f->nops > RING ? f->nops - RING : 0;

	printf("FUZZ last %lu operations:\n", f->nops - i);
	for (; i < f->nops; i++)
		printf("FUZZ   #%lu %s\n", i, f->ring[i % RING]);
}

static const char *res(int r)
{
	return err_name(r, errno);
}

/* (Re)make buffer @k; its pages are touched */
static void buf_make(struct fz *f, enum buf_kind k)
{
	struct buf *b = &f->bufs[k];
	int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS;
	int fd = -1;
	void *p;

	b->kind = k;
	b->p = NULL;
	switch (k) {
	case B_ANON:
		b->len = 16 * f->psz;
		break;
	case B_RO:
		b->len = 4 * f->psz;
		break;
	case B_SHMEM:
		b->len = 8 * f->psz;
		fd = syscall(SYS_memfd_create, "spapr_fuzz", 0);
		if (fd < 0 || ftruncate(fd, b->len))
			goto out;
		flags = MAP_SHARED;
		break;
	case B_THP:
		b->len = 2 * (16UL << 20);
		break;
	case B_HUGE:
		if (!f->huge)
			return;
		b->len = f->huge;
		flags |= MAP_HUGETLB;
		break;
	default:
		return;
	}
	p = mmap(NULL, b->len, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	if (k == B_THP)
		madvise(p, b->len, MADV_HUGEPAGE);
	memset(p, 0x5a, b->len);
	if (k == B_RO)
		mprotect(p, b->len, PROT_READ);
	b->p = p;
	f->made[k] = ++f->epoch;
out:
	if (fd >= 0)
		close(fd);
}

static void buf_drop(struct fz *f, enum buf_kind k)
{
	struct buf *b = &f->bufs[k];

	if (b->p) {
		munmap(b->p, b->len);
		f->gone = b->p;
	}
	b->p = NULL;
}

/* A user address: in a buffer, at an edge of one, gone, or absurd */
static u8 *pick_va(struct fz *f, size_t *room)
{
	struct buf *b = &f->bufs[below(f, B_KINDS)];
	static const long offs[] = { 0, 1, 4096, -4096 };
	u64 pages;

	*room = 0;
	switch (below(f, 10)) {
	case 0:
		return f->gone;
	case 1:
		return NULL;
	case 2:
		return (u8 *)(uintptr_t)0xc000000000000000ULL;
	default:
		break;
	}
	if (!b->p)
		return f->bufs[B_ANON].p;
	pages = b->len / f->psz;
	if (below(f, 2)) {
		u64 pg = below(f, pages);

		*room = b->len - pg * f->psz;
		return b->p + pg * f->psz;
	}
	*room = b->len;
	return b->p + offs[below(f, ARRAY_SIZE(offs))];
}

/*
 * @va..+@size lies in a writable buffer (not the read-only one) whose
 * current pages a MAP into container @ci reaches: any on v1, which pins
 * at MAP; on v2 one registered after it was last made (a region keeps
 * the pages it pinned when the buffer is unmapped and made again at the
 * same address, and the device then reaches those)
 */
static int dma_checkable(struct fz *f, int ci, u8 *va, u64 size)
{
	int k;

	if (!f->tknown[ci])
		return 0;
	for (k = 0; k < B_KINDS; k++) {
		struct buf *b = &f->bufs[k];

		if (k == B_RO || !b->p || va < b->p ||
		    va + size > b->p + b->len)
			continue;
		return f->type[ci] != VFIO_SPAPR_TCE_v2_IOMMU ||
		       f->reg[ci][k] > f->made[k];
	}
	return 0;
}

/* This process registered buffer @k whole in container @ci */
static void note_reg(struct fz *f, int ci, u8 *va, u64 size)
{
	int k;

	for (k = 0; k < B_KINDS; k++)
		if (f->bufs[k].p && va == f->bufs[k].p &&
		    size == f->bufs[k].len)
			f->reg[ci][k] = ++f->epoch;
}

/* A size: page multiples mostly, and the sizes that break arithmetic */
static u64 pick_size(struct fz *f, size_t room, u64 winsz)
{
	switch (below(f, 12)) {
	case 0:
		return 0;
	case 1:
		return 4096;
	case 2:
		return winsz;
	case 3:
		return ~0ULL - f->psz + 1;
	case 4:
		return 1ULL << 40;
	case 5:
		return f->psz + 4096;
	case 6:
		return rnd(f);
	default:
		return room ? (below(f, room / f->psz) + 1) * f->psz : f->psz;
	}
}

/* A window of container @ci, or made-up bounds */
static void pick_win(struct fz *f, int ci, u64 *start, u64 *size)
{
	u64 *w = f->win[ci][below(f, NWIN)];

	*start = w[0];
	*size = w[1];
	if (!below(f, 6)) {
		*start = rnd(f) & ~(u64)(f->psz - 1);
		*size = f->psz << below(f, 20);
	}
}

/* A bus address near the edges of a window */
static u64 pick_iova(struct fz *f, u64 start, u64 size)
{
	switch (below(f, 10)) {
	case 0:
		return 0;
	case 1:
		return start + 1;
	case 2:
		return start + 4096;
	case 3:
		return start + size;
	case 4:
		return start + size - f->psz;
	case 5:
		return ~0ULL - f->psz + 1;
	case 6:
		return rnd(f);
	default:
		return start + below(f, size / f->psz + 1) * f->psz;
	}
}

/* A container: mostly one with an IOMMU set, where calls get far */
static int pick_cont(struct fz *f)
{
	int ci = below(f, NCONT), i;

	if (below(f, 4))
		for (i = 0; i < NCONT; i++)
			if (f->type[(ci + i) % NCONT])
				return (ci + i) % NCONT;
	return ci;
}

/* Most calls are well formed, so that they reach the deep paths */
static int sane(struct fz *f)
{
	return below(f, 10) < 6;
}

/* The container fd, opened on demand (fd numbers: -1 if that failed) */
static int cont(struct fz *f, int ci)
{
	if (f->c[ci] < 0)
		f->c[ci] = open("/dev/vfio/vfio", O_RDWR);
	return f->c[ci];
}

/* Group @gi into container @ci, noted and kept track of; the ioctl's */
static int set_container(struct fz *f, int gi, int ci)
{
	int fd = cont(f, ci);
	int r = ioctl(f->g[gi], VFIO_GROUP_SET_CONTAINER, &fd);

	if (!r) {
		f->gc[gi] = ci;
		f->gknown[gi] = 1;
	}
	note(f, r, "SET_CONTAINER g%d c%d -> %s", gi, ci, res(r));
	return r;
}

/* SET_IOMMU @t on container @ci, noted and kept track of; the ioctl's */
static int set_iommu(struct fz *f, int ci, unsigned long t)
{
	int r = ioctl(cont(f, ci), VFIO_SET_IOMMU, t);

	if (!r) {
		f->type[ci] = t;
		f->tknown[ci] = 1;
	}
	note(f, r, "SET_IOMMU c%d %lu -> %s", ci, t, res(r));
	return r;
}

static void op_set_container(struct fz *f)
{
	int gi = below(f, f->ngroups);

	set_container(f, gi, pick_cont(f));
}

static void op_unset_container(struct fz *f)
{
	int gi = below(f, f->ngroups);
	int r = ioctl(f->g[gi], VFIO_GROUP_UNSET_CONTAINER);

	if (!r) {
		int ci = f->gc[gi], i, left = 0;

		f->gc[gi] = -1;
		f->gknown[gi] = 1;
		for (i = 0; i < f->ngroups; i++)
			left |= f->gc[i] == ci;
		if (ci >= 0 && !left) {
			f->type[ci] = 0;
			memset(f->win[ci], 0, sizeof(f->win[ci]));
			memset(f->reg[ci], 0, sizeof(f->reg[ci]));
		}
	}
	note(f, r, "UNSET_CONTAINER g%d -> %s", gi, res(r));
}

static void op_set_iommu(struct fz *f)
{
	static const unsigned long types[] = {
		VFIO_SPAPR_TCE_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU,
		VFIO_SPAPR_TCE_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU,
		VFIO_TYPE1_IOMMU, 0, 99,
	};
	int ci = pick_cont(f);

	set_iommu(f, ci, types[below(f, ARRAY_SIZE(types))]);
}

static void op_check_extension(struct fz *f)
{
	int ci = pick_cont(f);
	unsigned long arg = below(f, 2) ? below(f, 12) : rnd(f);
	int r = ioctl(cont(f, ci), VFIO_CHECK_EXTENSION, arg);

	note(f, r, "CHECK_EXTENSION c%d %lu -> %s", ci, arg, res(r));
}

/* GET_INFO on container @ci with @argsz; notes the default window */
static void op_get_info_of(struct fz *f, int ci, u32 argsz)
{
	struct {
		struct vfio_iommu_spapr_tce_info info;
		u8 pad[64];
	} a;
	int r;

	memset(&a, 0, sizeof(a));
	a.info.argsz = argsz;
	r = ioctl(cont(f, ci), VFIO_IOMMU_SPAPR_TCE_GET_INFO, &a);
	if (!r && a.info.dma32_window_size) {
		f->win[ci][0][0] = a.info.dma32_window_start;
		f->win[ci][0][1] = a.info.dma32_window_size;
	}
	note(f, r, "GET_INFO c%d argsz %u -> %s", ci, argsz, res(r));
}

static void op_get_info(struct fz *f)
{
	static const u32 sizes[] = {
		0, 4, 12, 15, 16, sizeof(struct vfio_iommu_spapr_tce_info) - 1,
		sizeof(struct vfio_iommu_spapr_tce_info), 4096, 0xffffffff,
	};

	op_get_info_of(f, pick_cont(f), sizes[below(f, ARRAY_SIZE(sizes))]);
}

static void op_enable(struct fz *f)
{
	int ci = pick_cont(f), on = below(f, 2);
	int r = ioctl(cont(f, ci), on ? VFIO_IOMMU_ENABLE : VFIO_IOMMU_DISABLE);

	note(f, r, "%s c%d -> %s", on ? "ENABLE" : "DISABLE", ci, res(r));
}

/*
 * The device of a group in container @ci copies EDU_BUF_MAX bytes from
 * the start of a mapping just made (@va at @iova, @size bytes, read and
 * write) to a later offset of it, through its TCEs; the bytes must be
 * there. The device fd is opened for this and closed again, so that the
 * group stays free to leave the container.
 */
static void dma_check(struct fz *f, int ci, u8 *va, u64 iova, u64 size)
{
	u64 off = size >= 2 * f->psz ? f->psz : f->psz / 2;
	struct edu e;
	int gi, dev, r;

	if (off < EDU_BUF_MAX || off + EDU_BUF_MAX > size ||
	    f->dma_done >= DMA_CHECKS)
		return;
	for (gi = 0; gi < f->ngroups; gi++)
		if (f->gc[gi] == ci && f->gknown[gi])
			break;
	if (gi == f->ngroups)
		return;
	f->dma_done++;
	dev = ioctl(f->g[gi], VFIO_GROUP_GET_DEVICE_FD, f->bdf[gi]);
	if (dev < 0) {
		note(f, dev, "DMA g%d device -> %s", gi, res(dev));
		return;
	}
	/* -1 the device, -2 the data did not arrive */
	r = edu_open(&e, dev) ? -3 : 0;
	if (!r)
		r = edu_round_trip(&e, va, iova, va + off, iova + off,
				   EDU_BUF_MAX, (unsigned int)f->nops);
	close(dev);
	if (r)
		f->dma_bad++;
	note(f, r ? -1 : 0, "DMA g%d iova %#llx -> +%#llx -> %s", gi,
	     (unsigned long long)iova, (unsigned long long)off,
	     r == -3 ? "device not usable" : r == -2 ? "data lost" :
	     r ? "device DMA failed" : "0");
}

static void op_map(struct fz *f)
{
	static const u32 flags[] = {
		VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, 0, 0xffffffff,
	};
	int ci = pick_cont(f), r;
	u64 start, wsz, iova, size;
	size_t room;
	u8 *va;
	u32 fl;

	pick_win(f, ci, &start, &wsz);
	va = pick_va(f, &room);
	size = pick_size(f, room, wsz);
	iova = pick_iova(f, start, wsz);
	fl = flags[below(f, ARRAY_SIZE(flags))];
	if (sane(f)) {
		/*
		 * Inside a buffer (mostly the one v2 setups register) and
		 * inside the window, page aligned
		 */
		struct buf *b = &f->bufs[below(f, 3) ? B_ANON :
					 below(f, B_KINDS)];
		u64 pg;

		if (b->p && wsz >= b->len) {
			pg = below(f, b->len / f->psz);
			va = b->p + pg * f->psz;
			room = b->len - pg * f->psz;
			size = (below(f, room / f->psz) + 1) * f->psz;
			iova = start + below(f, (wsz - size) / f->psz + 1) *
				       f->psz;
			fl = flags[below(f, 3)];
		}
	}
	r = dma_map_flags(cont(f, ci), va, iova, size, fl);
	note(f, r, "MAP c%d va %p iova %#llx size %#llx flags %#x -> %s", ci,
	     (void *)va, (unsigned long long)iova, (unsigned long long)size,
	     fl, res(r));
	/* DMA through the first fresh read-write mappings it can check */
	if (!r && fl == (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE) &&
	    dma_checkable(f, ci, va, size))
		dma_check(f, ci, va, iova, size);
}

static void op_unmap(struct fz *f)
{
	int ci = pick_cont(f), r;
	u64 start, wsz, iova, size;

	pick_win(f, ci, &start, &wsz);
	iova = below(f, 3) ? start : pick_iova(f, start, wsz);
	size = below(f, 3) ? wsz : pick_size(f, f->psz * 16, wsz);
	r = dma_unmap(cont(f, ci), iova, size);
	note(f, r, "UNMAP c%d iova %#llx size %#llx -> %s", ci,
	     (unsigned long long)iova, (unsigned long long)size, res(r));
}

static void op_register(struct fz *f)
{
	int ci = pick_cont(f), reg = below(f, 3) != 0, r;
	size_t room;
	u8 *va = pick_va(f, &room);
	u64 size = pick_size(f, room, 0);

	if (sane(f)) {
		/* A whole buffer, as QEMU registers guest RAM */
		struct buf *b = &f->bufs[below(f, B_KINDS)];

		if (b->p) {
			va = b->p;
			size = b->len;
		}
	}

	r = prereg(cont(f, ci), reg ? VFIO_IOMMU_SPAPR_REGISTER_MEMORY :
		   VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, va, size);
	if (!r && reg)
		note_reg(f, ci, va, size);
	note(f, r, "%s c%d va %p size %#llx -> %s",
	     reg ? "REGISTER" : "UNREGISTER", ci, (void *)va,
	     (unsigned long long)size, res(r));
}

static void op_create(struct fz *f)
{
	static const u32 shifts[] = { 12, 16, 16, 21, 24, 30, 0, 63, 64 };
	static const u64 sizes[] = {
		1ULL << 30, 1ULL << 30, 1ULL << 32, 1ULL << 40, 0, 4096,
		~0ULL,
	};
	struct vfio_iommu_spapr_tce_create cr = { .argsz = sizeof(cr) };
	int ci = pick_cont(f), r;

	cr.page_shift = shifts[below(f, ARRAY_SIZE(shifts))];
	cr.window_size = sizes[below(f, ARRAY_SIZE(sizes))];
	cr.levels = below(f, 6);
	if (sane(f)) {
		/* The system page or 64K, what QEMU asks */
		cr.page_shift = below(f, 2) ? 16 : __builtin_ctzl(f->psz);
		cr.window_size = 1ULL << 30;
		cr.levels = 1 + below(f, 2);
	} else if (!below(f, 4)) {
		cr.flags = rnd(f);
	} else if (!below(f, 4)) {
		cr.argsz = below(f, sizeof(cr) + 8);
	}
	r = ioctl(cont(f, ci), VFIO_IOMMU_SPAPR_TCE_CREATE, &cr);
	if (!r) {
		int w = below(f, NWIN);

		f->win[ci][w][0] = cr.start_addr;
		f->win[ci][w][1] = cr.window_size;
	}
	note(f, r, "TCE_CREATE c%d shift %u size %#llx levels %u -> %s", ci,
	     cr.page_shift, (unsigned long long)cr.window_size, cr.levels,
	     res(r));
}

static void op_remove(struct fz *f)
{
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm) };
	int ci = pick_cont(f), r;
	u64 start, wsz;

	pick_win(f, ci, &start, &wsz);
	rm.start_addr = below(f, 4) ? start : rnd(f);
	r = ioctl(cont(f, ci), VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
	note(f, r, "TCE_REMOVE c%d start %#llx -> %s", ci,
	     (unsigned long long)rm.start_addr, res(r));
}

static void op_eeh(struct fz *f)
{
	struct vfio_eeh_pe_op op = { .argsz = sizeof(op) };
	int ci = pick_cont(f), r;

	/* Not the ones that reset or freeze the device under the test */
	static const u32 ops[] = {
		VFIO_EEH_PE_GET_STATE, VFIO_EEH_PE_ENABLE, 0, 99,
	};
	op.op = ops[below(f, ARRAY_SIZE(ops))];
	r = ioctl(cont(f, ci), VFIO_EEH_PE_OP, &op);
	note(f, r, "EEH_PE_OP c%d op %u -> %s", ci, op.op, res(r));
}

static void op_close(struct fz *f)
{
	int ci = pick_cont(f), i;

	if (f->c[ci] >= 0)
		close(f->c[ci]);
	f->c[ci] = -1;
	for (i = 0; i < f->ngroups; i++)
		if (f->gc[i] == ci)
			f->gc[i] = -1;
	memset(f->win[ci], 0, sizeof(f->win[ci]));
	memset(f->reg[ci], 0, sizeof(f->reg[ci]));
	f->type[ci] = 0;
	note(f, 0, "CLOSE c%d", ci);
}

static void op_remap(struct fz *f)
{
	enum buf_kind k = below(f, B_KINDS);

	buf_drop(f, k);
	buf_make(f, k);
	note(f, f->bufs[k].p ? 0 : -1, "REMAP %s -> %p", kind_name[k],
	     (void *)f->bufs[k].p);
}

/*
 * A container as QEMU sets one up: a free group into it, an IOMMU type,
 * the default window; v1 enabled, v2 with a buffer registered and a
 * window of its own. Each step is a call of its own, noted as such.
 */
static void op_setup(struct fz *f)
{
	int gi = below(f, f->ngroups), ci = below(f, NCONT), fd, r;
	unsigned long t = below(f, 2) ? VFIO_SPAPR_TCE_v2_IOMMU :
					VFIO_SPAPR_TCE_IOMMU;

	if (f->gc[gi] >= 0 || f->type[ci])
		return;
	if (set_container(f, gi, ci) || set_iommu(f, ci, t))
		return;
	fd = cont(f, ci);
	op_get_info_of(f, ci, sizeof(struct vfio_iommu_spapr_tce_info));
	if (t == VFIO_SPAPR_TCE_IOMMU) {
		r = ioctl(fd, VFIO_IOMMU_ENABLE);
		note(f, r, "ENABLE c%d -> %s", ci, res(r));
		return;
	}
	r = prereg(fd, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, f->bufs[B_ANON].p,
		   f->bufs[B_ANON].len);
	if (!r)
		note_reg(f, ci, f->bufs[B_ANON].p, f->bufs[B_ANON].len);
	note(f, r, "REGISTER c%d anon -> %s", ci, res(r));
}

static void run_ops(struct fz *f, unsigned long n);

/* A child runs a few operations on the fds it inherited, then exits */
static void op_fork(struct fz *f)
{
	pid_t pid;
	int st = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		f->rng ^= 0x9e3779b97f4a7c15ULL;
		run_ops(f, 8);
		_exit(0);
	}
	if (pid > 0) {
		waitpid(pid, &st, 0);
		/* The child may have moved the groups, set types */
		memset(f->gknown, 0, sizeof(f->gknown));
		memset(f->tknown, 0, sizeof(f->tknown));
	}
	note(f, pid < 0 || st ? -1 : 0, "FORK -> %d status %d", (int)pid, st);
}

static void (* const ops[])(struct fz *f) = {
	op_setup, op_setup, op_setup, op_set_container, op_unset_container,
	op_set_iommu, op_check_extension, op_get_info, op_get_info, op_enable,
	op_map, op_map, op_map, op_map, op_map, op_map, op_map, op_map,
	op_unmap, op_unmap, op_unmap, op_register, op_register, op_create,
	op_create, op_remove, op_eeh, op_close, op_remap, op_fork,
};

static void run_ops(struct fz *f, unsigned long n)
{
	while (n--)
		ops[below(f, ARRAY_SIZE(ops))](f);
}

int main(int argc, char **argv)
{
	struct fz f;
	const char *tag;
	unsigned long seed, n, i;
	long lck0, dl;
	long long pin0, dp;
	int fail = 0;
	char name[96];

	if (argc < 5) {
		fprintf(stderr, "usage: %s TAG SEED OPS BDF [BDF2]\n", argv[0]);
		return 2;
	}
	memset(&f, 0, sizeof(f));
	tag = argv[1];
	seed = strtoul(argv[2], NULL, 0);
	n = strtoul(argv[3], NULL, 0);
	f.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	f.psz = sysconf(_SC_PAGESIZE);
	f.trace = !!getenv("SPAPR_FUZZ_TRACE");
	f.huge = huge_page_size();
	for (i = 0; i < NCONT; i++)
		f.c[i] = -1;
	for (i = 0; i < NGROUP && 4 + i < (unsigned long)argc; i++) {
		if (group_of(argv[4 + i], f.gpath[i], sizeof(f.gpath[i])))
			break;
		f.g[i] = open(f.gpath[i], O_RDWR);
		if (f.g[i] < 0)
			break;
		f.bdf[i] = argv[4 + i];
		f.gc[i] = -1;
		f.gknown[i] = 1;
		f.ngroups++;
	}
	if (!f.ngroups) {
		fprintf(stderr, "spapr_fuzz: no iommu group\n");
		return 2;
	}
	printf("FUZZ %s seed %lu ops %lu groups %d\n", tag, seed, n, f.ngroups);
	fflush(stdout);

	lck0 = vmlck_kb();
	pin0 = foll_pins();
	for (i = 0; i < B_KINDS; i++)
		buf_make(&f, i);
	run_ops(&f, n);

	/* Everything goes; then nothing may stay charged or pinned */
	for (i = 0; i < NCONT; i++)
		if (f.c[i] >= 0)
			close(f.c[i]);
	for (i = 0; i < (unsigned long)f.ngroups; i++)
		close(f.g[i]);
	for (i = 0; i < B_KINDS; i++)
		buf_drop(&f, i);
	dl = vmlck_kb() - lck0;
	/* A region's pages are unpinned in an RCU callback: wait for it */
	for (i = 0, dp = foll_pins() - pin0; dp && i < 200; i++) {
		usleep(10000);
		dp = foll_pins() - pin0;
	}

	snprintf(name, sizeof(name), "fuzz_%s_%lu_vmlck", tag, seed);
	printf("VST-RESULT %s %s%s%ld\n", name, dl ? "FAIL" : "PASS",
	       dl ? " kB left " : " ", dl);
	snprintf(name, sizeof(name), "fuzz_%s_%lu_pins", tag, seed);
	printf("VST-RESULT %s %s%s%lld\n", name, dp ? "FAIL" : "PASS",
	       dp ? " pages left " : " ", dp);
	snprintf(name, sizeof(name), "fuzz_%s_%lu_dma", tag, seed);
	printf("VST-RESULT %s %s %lu of %lu lost\n", name,
	       f.dma_bad ? "FAIL" : "PASS", f.dma_bad, f.dma_done);
	fail = dl || dp || f.dma_bad;
	print_stats(&f);
	if (fail)
		dump_ring(&f);
	printf("FUZZ %s seed %lu done: %lu operations\n", tag, seed, f.nops);
	return fail;
}

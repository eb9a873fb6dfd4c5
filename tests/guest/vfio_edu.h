/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the guest programs: a VFIO container and group in QEMU's order,
 * QEMU's "edu" PCI device (its DMA engine, through vfio-pci), and the
 * small helpers around them.
 */
#ifndef VFIO_EDU_H
#define VFIO_EDU_H

#include <stddef.h>
#include <linux/types.h>

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

/**
 * struct edu - an edu device opened through vfio-pci
 * @fd: the VFIO device fd
 * @bar0: offset of BAR0 in @fd
 * @swap: its registers are big-endian (qemu-system-ppc64): swap values
 * @verified: bytes copied through the device and found intact
 */
struct edu {
	int fd;
	u64 bar0;
	int swap;
	unsigned long verified;
};

const char *err_name(int ret, int err);
void e2e_print(const char *tag, const char *ver, const char *name, int ok,
	       const char *value);
long long foll_pins(void);
long vmlck_kb(void);
unsigned long huge_page_size(void);
int group_of(const char *bdf, char *path, size_t len);
int edu_open(struct edu *e, int fd);
u32 edu_rd32(struct edu *e, u64 off);
u64 edu_rd64(struct edu *e, u64 off);
void edu_wr64(struct edu *e, u64 off, u64 v);
int edu_dma(struct edu *e, u64 src, u64 dst, u32 cnt, int to_ram);
int edu_round_trip(struct edu *e, u8 *src, u64 src_iova, u8 *dst,
		   u64 dst_iova, size_t n, unsigned int seed);
int dma_map_flags(int c, void *va, u64 iova, u64 size, u32 flags);
int dma_map(int c, void *va, u64 iova, u64 size);
int dma_unmap(int c, u64 iova, u64 size);
int prereg(int c, unsigned long req, void *va, u64 size);

#endif /* VFIO_EDU_H */

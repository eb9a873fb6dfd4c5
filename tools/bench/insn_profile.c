// SPDX-License-Identifier: GPL-2.0-only
/*
 * insn_profile: a QEMU TCG plugin (host side) that counts the guest
 * instructions executed per translation block between two markers, for
 * make bench's BENCH_PROFILE mode.
 *
 * The guest brackets the code to profile with the no-op "or 27,27,27"
 * (tools/bench/spapr_bench.c). The first marker starts a window with every
 * count at zero, the next one ends it and appends the window to the file
 * given as out=PATH:
 *
 *   WINDOW <n>
 *   <tb vaddr, hex> <guest instructions>     (one line per block run)
 *   END <n>
 *
 * Blocks end at branches, so a block belongs to one function: the report
 * (scripts/profile_report.py) adds them up per symbol. Instructions, not
 * host time: under -icount shift=0 this is exactly the guest clock the
 * benchmark reads.
 *
 * Built for the host: gcc -shared -fPIC (scripts/bench.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 1;

/* or 27,27,27: a no-op nothing else in the guest uses */
#define MARKER 0x7f7bdb78u

struct block {
	unsigned long long vaddr;
	unsigned long long insns;	/* added to by the translated code */
};

static struct block **blocks;
static size_t nblocks, cap;
static FILE *out;
static int window, open_window;

static void dump(void)
{
	size_t i;

	fprintf(out, "WINDOW %d\n", window);
	for (i = 0; i < nblocks; i++)
		if (blocks[i]->insns)
			fprintf(out, "%llx %llu\n", blocks[i]->vaddr,
				blocks[i]->insns);
	fprintf(out, "END %d\n", window);
	fflush(out);
}

static void marker(unsigned int vcpu, void *udata)
{
	size_t i;

	(void)vcpu;
	(void)udata;
	if (open_window) {
		dump();
		window++;
	}
	open_window = !open_window;
	for (i = 0; i < nblocks; i++)
		blocks[i]->insns = 0;
}

static void translated(unsigned long long id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	struct block *b;
	unsigned int word;

	(void)id;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) != sizeof(word))
			continue;
		memcpy(&word, qemu_plugin_insn_data(insn), sizeof(word));
		if (word == MARKER)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}

	if (nblocks == cap) {
		cap = cap ? 2 * cap : 4096;
		blocks = realloc(blocks, cap * sizeof(*blocks));
		if (!blocks)
			abort();
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	blocks[nblocks++] = b;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->insns, n);
}

static void finished(unsigned long long id, void *udata)
{
	(void)id;
	(void)udata;
	fclose(out);
}

/* @info is a const qemu_info_t *, which this does not read */
EXPORT int qemu_plugin_install(unsigned long long id, const void *info,
			       int argc, char **argv)
{
	const char *path = NULL;
	int i;

	(void)info;
	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path) {
		fprintf(stderr, "insn_profile: out=PATH is required\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, finished, NULL);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few entry points of QEMU's TCG plugin API (version 1, as in QEMU
 * 7.2) that tools/bench/insn_profile.c uses. Debian ships no
 * qemu-plugin.h; these follow its ABI: plugin ids are 64-bit, instruction
 * and block handles are opaque, and the constants are the first of their
 * enums.
 */
#ifndef BENCH_QEMU_PLUGIN_H
#define BENCH_QEMU_PLUGIN_H

#include <stddef.h>

struct qemu_plugin_tb;
struct qemu_plugin_insn;

/* enum qemu_plugin_cb_flags and enum qemu_plugin_op */
#define QEMU_PLUGIN_CB_NO_REGS		0
#define QEMU_PLUGIN_INLINE_ADD_U64	0

void qemu_plugin_register_vcpu_tb_trans_cb(unsigned long long id,
					   void (*cb)(unsigned long long id,
						      struct qemu_plugin_tb *tb));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      int op, void *ptr,
					      unsigned long long imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    void (*cb)(unsigned int vcpu,
						       void *udata),
					    int flags, void *udata);
void qemu_plugin_register_atexit_cb(unsigned long long id,
				    void (*cb)(unsigned long long id,
					       void *udata),
				    void *udata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
unsigned long long qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

#endif /* BENCH_QEMU_PLUGIN_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process a vfio_spapr_tce KUnit case plays, as the code under test
 * sees it: its mm and user memory, its RLIMIT_MEMLOCK, CAP_IPC_LOCK and
 * locked_vm, the refcounts and pins of its pages, and another process
 * sharing its container. Everything a helper sets up is undone when the
 * case ends.
 */
#ifndef VFIO_SPAPR_TCE_TEST_PROC_H
#define VFIO_SPAPR_TCE_TEST_PROC_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/mm_types.h>

unsigned long test_proc_user_mem(struct kunit *test, unsigned long size);
unsigned long test_proc_ro_copy(struct kunit *test, const void *arg,
				size_t len);
unsigned long test_proc_huge_mem(struct kunit *test, unsigned int *shift);
unsigned long test_proc_contig_mem(struct kunit *test, unsigned int order);

void test_proc_set_memlock(struct kunit *test, unsigned long bytes);
void test_proc_set_ipc_lock(struct kunit *test, bool on);
unsigned long test_proc_locked_vm(void);

/**
 * struct test_proc_pin - a user page pinned by a case, and its refcounts
 * @page: the page
 * @uaddr: its user address in the case's mm
 * @ref_base: refcount with only the case's own pin held
 * @pin_delta: what one more pin added to the refcount (> 0)
 */
struct test_proc_pin {
	struct page *page;
	unsigned long uaddr;
	int ref_base;
	int pin_delta;
};

int test_proc_page_ref(struct page *page);
void test_proc_pin_page(struct kunit *test, unsigned long uaddr,
			struct test_proc_pin *pin);
struct page *test_proc_page_of(struct kunit *test, unsigned long uaddr,
			       int *ref);

/**
 * struct test_proc_other - a call made by another thread, with another mm
 * @fn: what the thread runs; its result goes to @ret
 * @data: for @fn
 * @ret: @fn's result, -EINPROGRESS until it returned
 * @done: completed when the thread is done
 */
struct test_proc_other {
	long (*fn)(struct test_proc_other *o);
	void *data;
	long ret;
	struct completion done;
};

void test_proc_other_start(struct kunit *test, struct test_proc_other *o);
bool test_proc_other_wait(struct test_proc_other *o, unsigned int ms);

#endif /* VFIO_SPAPR_TCE_TEST_PROC_H */

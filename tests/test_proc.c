// SPDX-License-Identifier: GPL-2.0-only
/*
 * The process a vfio_spapr_tce KUnit case plays: its user memory (plain,
 * read-only, hugetlb, physically contiguous), its RLIMIT_MEMLOCK,
 * CAP_IPC_LOCK and locked_vm, the refcounts and pins of its pages, and a
 * second process working beside it. See test_proc.h.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "test_proc.h"

/*
 * shmem_file_setup()'s flags: an unsigned long up to 6.x, a vma_flags_t
 * since (which came with EMPTY_VMA_FLAGS): no flags either way
 */
#ifdef EMPTY_VMA_FLAGS
#define TEST_PROC_SHMEM_NO_FLAGS	EMPTY_VMA_FLAGS
#else
#define TEST_PROC_SHMEM_NO_FLAGS	0
#endif

/**
 * test_proc_user_mem() - give the case an mm and anonymous user memory
 * @test: the test case
 * @size: bytes to map
 *
 * Return: the user address (the case fails if it cannot be mapped).
 */
unsigned long test_proc_user_mem(struct kunit *test, unsigned long size)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, size, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, 0, addr);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_NOT_NULL(test, current->mm);
	return addr;
}

/**
 * test_proc_set_memlock() - set the case's RLIMIT_MEMLOCK (soft and hard)
 * @test: the test case
 * @bytes: the limit
 *
 * The case runs in its own kthread, so the change dies with it.
 */
void test_proc_set_memlock(struct kunit *test, unsigned long bytes)
{
	struct rlimit *rlim = &current->signal->rlim[RLIMIT_MEMLOCK];

	task_lock(current->group_leader);
	rlim->rlim_cur = bytes;
	rlim->rlim_max = bytes;
	task_unlock(current->group_leader);
}

/**
 * test_proc_set_ipc_lock() - run on with or without CAP_IPC_LOCK
 * @test: the test case
 * @on: raise CAP_IPC_LOCK in the effective set, or lower it
 *
 * Commits new credentials for the case's thread (KUnit runs each case in
 * a thread of its own, whose credentials end with it), the same way on
 * every kernel: override_creds() changed how it counts references in
 * 6.13.
 */
void test_proc_set_ipc_lock(struct kunit *test, bool on)
{
	struct cred *new = prepare_creds();

	KUNIT_ASSERT_NOT_NULL(test, new);
	if (on)
		cap_raise(new->cap_effective, CAP_IPC_LOCK);
	else
		cap_lower(new->cap_effective, CAP_IPC_LOCK);
	commit_creds(new);
}

/**
 * test_proc_locked_vm() - the current mm's locked_vm, in pages
 *
 * Return: current->mm->locked_vm.
 */
unsigned long test_proc_locked_vm(void)
{
	unsigned long v;

	mmap_read_lock(current->mm);
	v = current->mm->locked_vm;
	mmap_read_unlock(current->mm);
	return v;
}

KUNIT_DEFINE_ACTION_WRAPPER(test_proc_unpin, unpin_user_page, struct page *);

/**
 * test_proc_page_ref() - the reference count of a user page, as the cases
 *	compare it
 * @page: the page
 *
 * A tail page of a large folio counts nothing: its folio does. A folio
 * waiting in a CPU's LRU-add batch holds one reference more, which goes
 * whenever the batch is drained (pinning long-term drains them all): it
 * is not on the LRU until then, so it is counted without it.
 *
 * Return: the folio's reference count, without the batch's.
 */
int test_proc_page_ref(struct page *page)
{
	struct folio *folio = page_folio(page);

	return folio_ref_count(folio) - !folio_test_lru(folio);
}

/**
 * test_proc_pin_page() - pin a user page for the case and learn its refcount
 * @test: the test case
 * @uaddr: user address in the case's mm
 * @pin: filled in; the case's own pin is dropped when the case ends
 *
 * Pins the page twice, to measure what one pin adds, and keeps one pin so
 * the page stays put while the code under test pins and releases it.
 */
void test_proc_pin_page(struct kunit *test, unsigned long uaddr,
			struct test_proc_pin *pin)
{
	struct page *page, *again;

	KUNIT_ASSERT_EQ(test, 1, pin_user_pages_fast(uaddr, 1, FOLL_WRITE,
						     &page));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, test_proc_unpin,
							   page));
	pin->page = page;
	pin->uaddr = uaddr;
	pin->ref_base = test_proc_page_ref(page);

	KUNIT_ASSERT_EQ(test, 1, pin_user_pages_fast(uaddr, 1, FOLL_WRITE,
						     &again));
	KUNIT_ASSERT_PTR_EQ(test, page, again);
	pin->pin_delta = test_proc_page_ref(page) - pin->ref_base;
	unpin_user_page(again);
	KUNIT_ASSERT_GT(test, pin->pin_delta, 0);
	KUNIT_ASSERT_EQ(test, pin->ref_base, test_proc_page_ref(page));
}

/**
 * test_proc_ro_copy() - a copy of @arg in read-only user memory
 * @test: the test case (it must have an mm)
 * @arg: what to copy, e.g. an ioctl argument
 * @len: its size
 *
 * Return: its user address; it can be read there, not written.
 */
unsigned long test_proc_ro_copy(struct kunit *test, const void *arg,
				size_t len)
{
	struct file *file;
	unsigned long u;
	loff_t pos = 0;

	/* A shmem file holding the copy, mapped read-only */
	test_proc_user_mem(test, PAGE_SIZE);
	file = shmem_file_setup("test_proc_arg", PAGE_SIZE,
				TEST_PROC_SHMEM_NO_FLAGS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_EXPECT_EQ(test, len, kernel_write(file, arg, len, &pos));
	u = kunit_vm_mmap(test, file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	fput(file);
	KUNIT_ASSERT_NE(test, 0, u);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(u));
	return u;
}

/**
 * test_proc_page_of() - the page behind a user address, and its folio's
 *	refcount (without a transient one of the LRU caches)
 * @test: the test case
 * @uaddr: a user address that is mapped and was touched
 * @ref: where the page's refcount is returned
 *
 * Return: the page; no reference is kept on it.
 */
struct page *test_proc_page_of(struct kunit *test, unsigned long uaddr,
			       int *ref)
{
	struct page *page;

	KUNIT_ASSERT_EQ(test, 1, get_user_pages_fast(uaddr, 1, 0, &page));
	put_page(page);
	*ref = test_proc_page_ref(page);
	return page;
}

/*
 * Hugetlb memory, from a file on a hugetlbfs mount of the case's own: the
 * KUnit module has no other way to a huge page, and a path like
 * /dev/hugepages is not where a KUnit thread can count on finding it (its
 * root need not be /init's)
 */
static void test_proc_kern_unmount(void *mnt)
{
	kern_unmount(mnt);
}

static struct file *test_proc_hugetlb_file(struct kunit *test)
{
	struct file_system_type *fs = get_fs_type("hugetlbfs");
	struct vfsmount *mnt;

	KUNIT_ASSERT_NOT_NULL_MSG(test, fs, "no hugetlbfs");
	mnt = kern_mount(fs);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mnt), "hugetlbfs mount: %ld",
			       PTR_ERR(mnt));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, test_proc_kern_unmount, mnt));
	return file_open_root_mnt(mnt, "test_proc_huge", O_CREAT | O_RDWR, 0600);
}

/*
 * Where test_proc_huge_mem() maps: on the hash MMU a huge page needs an
 * address slice of its own (256M below 4G), and this one ends 16M before
 * the next slice starts, where the small pages go
 */
#define TEST_PROC_HUGE_ADDR	0x7f000000UL

/**
 * test_proc_huge_mem() - one huge page, then small pages right after it
 * @test: the test case
 * @shift: where the huge page's shift is returned
 *
 * Maps one hugetlb page at an address aligned to it and, right after,
 * the same size of ordinary shmem memory (small pages that transparent
 * huge pages leave alone), both touched, in the case's mm.
 *
 * Return: the user address of the huge page (the case fails without
 * hugetlbfs or a huge page in its pool).
 */
unsigned long test_proc_huge_mem(struct kunit *test, unsigned int *shift)
{
	unsigned long size, ua, small, off;
	struct file *file;

	test_proc_user_mem(test, PAGE_SIZE);
	file = test_proc_hugetlb_file(test);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "hugetlbfs file: %ld",
			       PTR_ERR(file));
	*shift = huge_page_shift(hstate_file(file));
	size = 1UL << *shift;
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED(TEST_PROC_HUGE_ADDR, size));
	ua = kunit_vm_mmap(test, file, TEST_PROC_HUGE_ADDR, size,
			   PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_FIXED_NOREPLACE, 0);
	fput(file);
	KUNIT_ASSERT_EQ(test, TEST_PROC_HUGE_ADDR, ua);

	file = shmem_file_setup("test_proc_small", size, TEST_PROC_SHMEM_NO_FLAGS);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	small = kunit_vm_mmap(test, file, ua + size, size,
			      PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED_NOREPLACE, 0);
	fput(file);
	KUNIT_ASSERT_EQ(test, ua + size, small);

	for (off = 0; off < 2 * size; off += PAGE_SIZE)
		KUNIT_ASSERT_EQ_MSG(test, 0,
				    put_user(1, (u8 __user *)ua + off),
				    "no huge page in the pool?");
	return ua;
}

KUNIT_DEFINE_ACTION_WRAPPER(test_proc_free_page, __free_page, struct page *);

/**
 * test_proc_contig_mem() - physically contiguous user memory
 * @test: the test case
 * @order: 2^@order system pages
 *
 * Inserts the pages of one allocation, in order, into a shared mapping
 * of the case's mm: as a huge page would, but of any size.
 *
 * Return: its user address.
 */
unsigned long test_proc_contig_mem(struct kunit *test, unsigned int order)
{
	unsigned long n = 1UL << order, ua, i;
	struct vm_area_struct *vma;
	struct page *first, **pages;
	int ret;

	pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	first = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	KUNIT_ASSERT_NOT_NULL(test, first);
	split_page(first, order);
	for (i = 0; i < n; i++) {
		pages[i] = first + i;
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, test_proc_free_page,
							  pages[i]));
	}

	ua = kunit_vm_mmap(test, NULL, 0, n * PAGE_SIZE,
			   PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ua));
	mmap_write_lock(current->mm);
	vma = find_vma(current->mm, ua);
	ret = vma ? vm_insert_pages(vma, ua, pages, &n) : -EFAULT;
	mmap_write_unlock(current->mm);
	KUNIT_ASSERT_EQ(test, 0, ret);
	return ua;
}

static int test_proc_other_thread(void *data)
{
	struct test_proc_other *o = data;
	struct mm_struct *mm = mm_alloc();

	if (mm) {
		mm->task_size = TASK_SIZE;
		arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
		kthread_use_mm(mm);
		o->ret = o->fn(o);
		kthread_unuse_mm(mm);
		mmput(mm);
	} else {
		o->ret = -ENOMEM;
	}
	complete(&o->done);
	return 0;
}

/**
 * test_proc_other_start() - run @o->fn in another thread, with another mm
 * @test: the test case
 * @o: what to run (@o->fn and @o->data set); its result lands in
 *	@o->ret
 *
 * The function runs in a kernel thread with an mm of its own, like a
 * second process sharing the container's fd. Wait for it with
 * test_proc_other_wait() before the case ends.
 */
void test_proc_other_start(struct kunit *test, struct test_proc_other *o)
{
	struct task_struct *t;

	init_completion(&o->done);
	o->ret = -EINPROGRESS;
	t = kthread_run(test_proc_other_thread, o, "test_proc_other");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
}

/**
 * test_proc_other_wait() - wait for a thread from test_proc_other_start()
 * @o: the thread's description
 * @ms: how long to wait at most
 *
 * Return: true if it finished.
 */
bool test_proc_other_wait(struct test_proc_other *o, unsigned int ms)
{
	return wait_for_completion_timeout(&o->done, msecs_to_jiffies(ms));
}


/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of vfio_spapr_tce: one per mapping ioctl, with the
 * container's id (its debugfs directory), what was asked, the result and
 * the time from just before the container lock is taken (so waiting for
 * it included) to just after it is dropped. Off, each costs a
 * patched-out branch; the clock is read only while its event is enabled.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vfio_spapr_tce

#if !defined(VFIO_SPAPR_TCE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define VFIO_SPAPR_TCE_TRACE_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(spapr_tce_range,
		    TP_PROTO(u64 id, u64 addr, u64 size, long ret,
			     u64 ns),
		    TP_ARGS(id, addr, size, ret, ns),
		    TP_STRUCT__entry(__field(u64, id)
				     __field(u64, addr)
				     __field(u64, size)
				     __field(long, ret)
				     __field(u64, ns)),
		    TP_fast_assign(__entry->id = id;
				   __entry->addr = addr;
				   __entry->size = size;
				   __entry->ret = ret;
				   __entry->ns = ns;),
		    TP_printk("container=%llu addr=0x%llx size=0x%llx ret=%ld ns=%llu",
			      __entry->id, __entry->addr, __entry->size,
			      __entry->ret, __entry->ns));

/* MAP_DMA: addr is the bus address (iova) */
DEFINE_EVENT(spapr_tce_range, spapr_tce_map,
	     TP_PROTO(u64 id, u64 addr, u64 size, long ret, u64 ns),
	     TP_ARGS(id, addr, size, ret, ns));

/* UNMAP_DMA: addr is the bus address (iova) */
DEFINE_EVENT(spapr_tce_range, spapr_tce_unmap,
	     TP_PROTO(u64 id, u64 addr, u64 size, long ret, u64 ns),
	     TP_ARGS(id, addr, size, ret, ns));

/* REGISTER_MEMORY: addr is the user address */
DEFINE_EVENT(spapr_tce_range, spapr_tce_register,
	     TP_PROTO(u64 id, u64 addr, u64 size, long ret, u64 ns),
	     TP_ARGS(id, addr, size, ret, ns));

/* UNREGISTER_MEMORY: addr is the user address */
DEFINE_EVENT(spapr_tce_range, spapr_tce_unregister,
	     TP_PROTO(u64 id, u64 addr, u64 size, long ret, u64 ns),
	     TP_ARGS(id, addr, size, ret, ns));

/* TCE_CREATE: the window's start (0 on failure) and what was asked */
TRACE_EVENT(spapr_tce_create,
	    TP_PROTO(u64 id, u64 start, u64 size, u32 page_shift,
		     u32 levels, long ret, u64 ns),
	    TP_ARGS(id, start, size, page_shift, levels, ret, ns),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, start)
			     __field(u64, size)
			     __field(u32, page_shift)
			     __field(u32, levels)
			     __field(long, ret)
			     __field(u64, ns)),
	    TP_fast_assign(__entry->id = id;
			   __entry->start = start;
			   __entry->size = size;
			   __entry->page_shift = page_shift;
			   __entry->levels = levels;
			   __entry->ret = ret;
			   __entry->ns = ns;),
	    TP_printk("container=%llu start=0x%llx size=0x%llx page_shift=%u levels=%u ret=%ld ns=%llu",
		      __entry->id, __entry->start, __entry->size,
		      __entry->page_shift, __entry->levels, __entry->ret,
		      __entry->ns));

/* TCE_REMOVE */
TRACE_EVENT(spapr_tce_remove,
	    TP_PROTO(u64 id, u64 start, long ret, u64 ns),
	    TP_ARGS(id, start, ret, ns),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, start)
			     __field(long, ret)
			     __field(u64, ns)),
	    TP_fast_assign(__entry->id = id;
			   __entry->start = start;
			   __entry->ret = ret;
			   __entry->ns = ns;),
	    TP_printk("container=%llu start=0x%llx ret=%ld ns=%llu",
		      __entry->id, __entry->start, __entry->ret,
		      __entry->ns));

#endif /* VFIO_SPAPR_TCE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vfio_spapr_tce_trace
#include <trace/define_trace.h>

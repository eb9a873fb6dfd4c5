/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What vfio_spapr_tce needs of the VFIO core's private header,
 * drivers/vfio/vfio.h, for building against a kernel headers package
 * (Debian's linux-headers-*, a distribution's kernel-devel), which does
 * not ship drivers/. Kbuild picks this file only when the kernel tree has
 * no drivers/vfio/vfio.h. The declarations must describe the same ABI as
 * that header of every kernel we support: scripts/vfio_h_check.py
 * compares them, in make check, since modversions does not cover a
 * structure the core only reads through a pointer.
 */
#ifndef VFIO_SPAPR_TCE_HEADERS_ONLY_VFIO_H
#define VFIO_SPAPR_TCE_HEADERS_ONLY_VFIO_H

#include <linux/types.h>

struct iommu_domain;
struct iommu_group;
struct module;
struct page;
struct vfio_device;

/**
 * enum vfio_group_type - how the devices of a group reach memory
 * @VFIO_IOMMU: a physical device behind an IOMMU
 * @VFIO_EMULATED_IOMMU: a mediated device; the core made up its group
 * @VFIO_NO_IOMMU: a physical device without an IOMMU (unsafe mode)
 */
enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

/**
 * struct vfio_iommu_driver_ops - an IOMMU backend, as the core calls it
 * @name: the backend's name
 * @owner: its module
 * @open: a container chose the backend (VFIO_SET_IOMMU, its argument)
 * @release: the container's last user went
 * @ioctl: an ioctl on the container fd the core does not handle itself
 * @attach_group: a group joins the container
 * @detach_group: a group leaves it
 * @pin_pages: pin pages for an emulated device (not used by sPAPR)
 * @unpin_pages: unpin them
 * @register_device: a device of the container was opened
 * @unregister_device: it was closed
 * @dma_rw: access container memory for an emulated device
 * @group_iommu_domain: the IOMMU domain of a group
 */
struct vfio_iommu_driver_ops {
	char *name;
	struct module *owner;
	void *(*open)(unsigned long arg);
	void (*release)(void *iommu_data);
	long (*ioctl)(void *iommu_data, unsigned int cmd, unsigned long arg);
	int (*attach_group)(void *iommu_data, struct iommu_group *group,
			    enum vfio_group_type);
	void (*detach_group)(void *iommu_data, struct iommu_group *group);
	int (*pin_pages)(void *iommu_data, struct iommu_group *group,
			 dma_addr_t user_iova, int npage, int prot,
			 struct page **pages);
	void (*unpin_pages)(void *iommu_data, dma_addr_t user_iova, int npage);
	void (*register_device)(void *iommu_data, struct vfio_device *vdev);
	void (*unregister_device)(void *iommu_data, struct vfio_device *vdev);
	int (*dma_rw)(void *iommu_data, dma_addr_t user_iova, void *data,
		      size_t count, bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data,
						   struct iommu_group *group);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);

#endif /* VFIO_SPAPR_TCE_HEADERS_ONLY_VFIO_H */

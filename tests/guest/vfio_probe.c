// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_probe: ask the VFIO container what IOMMU backends are registered.
 * Prints one line per question; exits 0 when /dev/vfio/vfio answered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

int main(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR);

	if (fd < 0) {
		printf("vfio_probe: open /dev/vfio/vfio: %s\n", strerror(errno));
		return 1;
	}
	printf("vfio_probe: api_version=%d spapr_tce_v1=%d spapr_tce_v2=%d type1=%d\n",
	       ioctl(fd, VFIO_GET_API_VERSION),
	       ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU),
	       ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU),
	       ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU));
	close(fd);
	return 0;
}

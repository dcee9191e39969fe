/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: mmap constants, with MAP_DROPPABLE if the host headers lack it. */
#ifndef _VGR_SHIM_UAPI_LINUX_MMAN_H
#define _VGR_SHIM_UAPI_LINUX_MMAN_H

#include <sys/mman.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif

#endif

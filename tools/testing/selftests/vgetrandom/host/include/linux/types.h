/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the kernel's fixed-width types on top of the UAPI ones. */
#ifndef _VGR_SHIM_LINUX_TYPES_H
#define _VGR_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif

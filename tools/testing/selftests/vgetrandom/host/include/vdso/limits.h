/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VGR_SHIM_VDSO_LIMITS_H
#define _VGR_SHIM_VDSO_LIMITS_H

#include <limits.h>

#endif

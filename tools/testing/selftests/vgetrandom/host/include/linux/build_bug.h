/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VGR_SHIM_LINUX_BUILD_BUG_H
#define _VGR_SHIM_LINUX_BUILD_BUG_H

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")

#endif

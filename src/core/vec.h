/* SPDX-License-Identifier: GPL-2.0 */
/* Growing arrays. */
#ifndef __TT_VEC_H
#define __TT_VEC_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Room for item @n (0-based) in *@v of items of @size, capacity *@cap,
 * doubled (from 256) when full: 0, or -ENOMEM with *@v and *@cap as they
 * were.
 */
static inline int vec_grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t nc = *cap ? *cap * 2 : 256;
	void *t;

	if (n < *cap)
		return 0;
	if (nc < *cap || nc > SIZE_MAX / size)
		return -ENOMEM;
	t = realloc(*(void **)v, nc * size);
	if (!t)
		return -ENOMEM;
	*(void **)v = t;
	*cap = nc;
	return 0;
}

#endif /* __TT_VEC_H */

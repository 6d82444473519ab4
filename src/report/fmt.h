/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building an output line by hand: printf costs four times as much per
 * fault record. @p is where the next byte goes; the caller's buffer is
 * big enough for the line.
 */
#ifndef __TT_FMT_H
#define __TT_FMT_H

#include <string.h>

static inline char *put_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * A short string (a name, a number's digits, up to 32 bytes): a call to
 * memcpy() costs more than the copy. Two overlapping fixed-size copies,
 * which the compiler turns into moves (a byte loop it would turn back
 * into a call).
 */
static inline char *put_short(char *p, const char *s, size_t n)
{
	if (n >= 16 && n <= 32) {
		memcpy(p, s, 16);
		memcpy(p + n - 16, s + n - 16, 16);
	} else if (n >= 8 && n < 16) {
		memcpy(p, s, 8);
		memcpy(p + n - 8, s + n - 8, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(p, s, 4);
		memcpy(p + n - 4, s + n - 4, 4);
	} else if (n && n < 4) {
		p[0] = s[0];
		p[n / 2] = s[n / 2];
		p[n - 1] = s[n - 1];
	} else if (n) {
		memcpy(p, s, n);
	}
	return p + n;
}

/* A literal is copied with its length known; any other string (names,
 * labels: short) as it is scanned, without calls to strlen and memcpy. */
static inline char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	if (__builtin_constant_p(n))
		return put_short(p, s, n);
	while (*s)
		*p++ = *s++;
	return p;
}

/*
 * Two digits a step, written in place from the last: half the
 * multiplications of one a step, and no copy from a scratch buffer just
 * written (a load across recent stores stalls).
 */
static inline char *put_u64(char *p, unsigned long long v)
{
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	static const unsigned long long pow10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL,
		100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL,
	};
	/* digits: log10 from log2 (1233 / 4096 ~ log10(2)), then one test */
	int n = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;
	char *end, *q;

	n += n < 20 && v >= pow10[n];
	n += !n;
	end = q = p + n;
	while (v >= 100) {
		q -= 2;
		memcpy(q, pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(q - 2, pairs + v * 2, 2);
	else
		q[-1] = '0' + v;
	return end;
}

static inline char *put_hex(char *p, unsigned long long v)
{
	char tmp[16], *t = tmp + sizeof(tmp);

	do {
		*--t = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	return put_short(p, t, tmp + sizeof(tmp) - t);
}

/* Spaces after what was written since @start, up to @width, then one. */
static inline char *put_pad(char *p, const char *start, long width)
{
	while (p - start < width)
		*p++ = ' ';
	*p++ = ' ';
	return p;
}

/* @v / 1000 with two decimals, rounded: "%.2f" of microseconds. */
static inline char *put_us2(char *p, unsigned long long ns)
{
	unsigned long long c = (ns + 5) / 10;

	p = put_u64(p, c / 100);
	*p++ = '.';
	*p++ = '0' + c / 10 % 10;
	*p++ = '0' + c % 10;
	return p;
}

#endif /* __TT_FMT_H */

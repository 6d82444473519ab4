// SPDX-License-Identifier: GPL-2.0
/*
 * One walk over the string, shared by every format: it splits the input
 * into characters (valid UTF-8 sequences, or single invalid bytes) and
 * asks the format how to spell each one. Formats differ only in that.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>
#include "escape.h"

/* U+FFFD REPLACEMENT CHARACTER, in UTF-8. */
#define REPL "\xef\xbf\xbd"

/*
 * The length of the valid UTF-8 sequence at @p, reading at most @left
 * bytes, or 0 (RFC 3629: no overlong forms, no surrogates, at most
 * U+10FFFF). A NUL is never a continuation byte, so this never reads
 * past the end of the string.
 */
static int utf8_len(const unsigned char *p, size_t left)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (p[0] == 0xe0)
		lo = 0xa0; /* below: overlong */
	else if (p[0] == 0xed)
		hi = 0x9f; /* above: surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90; /* below: overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f; /* above: past U+10FFFF */
	if ((size_t)n > left || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * How a format spells one character: @n bytes of valid UTF-8 at @p, or
 * with @n == 0 the single invalid byte *@p. Returns the spelling (in
 * @buf if it has to be built), or NULL to copy the character as it is;
 * never NULL for an invalid byte.
 */
typedef const char *spell_fn(const unsigned char *p, int n, char *buf);

/* Where the output goes: a stream, or (f == NULL) a bounded buffer. */
struct sink {
	FILE *f;
	char *buf;
	size_t len; /* of buf, the NUL included */
	size_t used;
};

/* Writes all @n bytes or, in a buffer without room for them, none. */
static bool put(struct sink *k, const char *p, size_t n)
{
	if (k->f)
		return fwrite_unlocked(p, 1, n, k->f) == n;
	if (n >= k->len - k->used)
		return false;
	memcpy(k->buf + k->used, p, n);
	k->used += n;
	return true;
}

static void escape(struct sink *k, const char *s, size_t max, spell_fn *spell)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *sp;
	char buf[16];
	size_t i;
	int n;

	if (k->f)
		flockfile(k->f); /* once, not once per character */
	for (i = 0; s && i < max && p[i]; i += n ? n : 1) {
		n = utf8_len(p + i, max - i);
		sp = spell(p + i, n, buf);
		if (!(sp ? put(k, sp, strlen(sp)) : put(k, s + i, n)))
			break;
	}
	if (k->f)
		funlockfile(k->f);
}

static void escape_file(FILE *f, const char *s, size_t max, spell_fn *spell)
{
	struct sink k = { .f = f };

	escape(&k, s, max, spell);
}

/* The C escapes that JSON and terminal text share. */
static const char *c_escape(unsigned char c)
{
	switch (c) {
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	}
	return NULL;
}

static const char *spell_json(const unsigned char *p, int n, char *buf)
{
	if (!n)
		return "\\ufffd";
	if (n > 1)
		return NULL;
	if (*p == '"')
		return "\\\"";
	if (c_escape(*p))
		return c_escape(*p);
	if (!is_ctl(*p))
		return NULL;
	snprintf(buf, 16, "\\u%04x", *p);
	return buf;
}

void esc_json(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	escape_file(f, s, max, spell_json);
	fputc('"', f);
}

static const char *spell_csv(const unsigned char *p, int n, char *buf)
{
	(void)buf;
	if (!n)
		return REPL;
	return n == 1 && *p == '"' ? "\"\"" : NULL;
}

void esc_csv(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	escape_file(f, s, max, spell_csv);
	fputc('"', f);
}

static const char *spell_xml(const unsigned char *p, int n, char *buf)
{
	if (!n)
		return REPL;
	/* U+FFFE and U+FFFF are valid UTF-8 but not XML 1.0 characters. */
	if (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return REPL;
	if (n > 1)
		return NULL;
	switch (*p) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	case '\t':
	case '\n':
	case '\r':
		/* References survive attribute-value normalization. */
		snprintf(buf, 16, "&#%d;", *p);
		return buf;
	}
	return is_ctl(*p) ? REPL : NULL;
}

void esc_xml(FILE *f, const char *s, size_t max)
{
	escape_file(f, s, max, spell_xml);
}

/* U+0080..U+009F: C1 controls, which some terminals obey (CSI, OSC). */
static bool is_c1(const unsigned char *p, int n)
{
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

static const char *spell_text(const unsigned char *p, int n, char *buf)
{
	if (n == 1 && c_escape(*p))
		return c_escape(*p);
	if (is_c1(p, n))
		snprintf(buf, 16, "\\x%02x\\x%02x", p[0], p[1]);
	else if (!n || (n == 1 && is_ctl(*p)))
		snprintf(buf, 16, "\\x%02x", p[0]);
	else
		return NULL;
	return buf;
}

char *esc_text(char *dst, size_t len, const char *s, size_t max)
{
	struct sink k = { .buf = dst, .len = len };

	if (!len)
		return dst;
	escape(&k, s, max, spell_text);
	dst[k.used] = '\0';
	return dst;
}

static const char *spell_folded(const unsigned char *p, int n, char *buf)
{
	(void)buf;
	if (!n)
		return REPL;
	if (n == 1 && (*p == ';' || *p == ' ' || is_ctl(*p)))
		return "_";
	return NULL;
}

void esc_folded(FILE *f, const char *s, size_t max)
{
	escape_file(f, s, max, spell_folded);
}

static const char *spell_prom(const unsigned char *p, int n, char *buf)
{
	(void)buf;
	if (!n)
		return REPL;
	if (n > 1)
		return NULL;
	return *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" :
	       *p == '\n' ? "\\n" : NULL;
}

void esc_prom(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	escape_file(f, s, max, spell_prom);
	fputc('"', f);
}

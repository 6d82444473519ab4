// SPDX-License-Identifier: GPL-2.0
/*
 * escape_test: src/report/escape.c against small exact cases and one
 * hostile name. Prints one "PASS escape.CASE" or "FAIL escape.CASE: why"
 * line per case and always exits 0 (the runners count the lines).
 *
 * The checks decode each output the way its reader would (a JSON
 * parser, a CSV reader, an XML parser, a person reading \xHH), with
 * code written here, not shared with the escaper.
 *
 * escape_test --dump DIR writes the hostile name and its escaped forms
 * to DIR (raw, json, csv, xml, folded) for tests/unit/escape.sh to read
 * back with Python's json, csv and xml.dom.minidom.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "fmt.h"

#define R "\xef\xbf\xbd" /* U+FFFD */
#define R3 R R R

/*
 * A file name a hostile process could map: quotes, CSV and XML
 * specials, ';' and ' ', a newline, a tab, C0 controls with a terminal
 * colour sequence, DEL, a backslash, then invalid UTF-8 (0xff, a
 * truncated E2 82, overlong C0 AF, surrogate ED A0 80, F4 90 80 80 past
 * U+10FFFF), then valid UTF-8 of each length and a C1 control (U+009B).
 */
static const char hostile[] =
	"we\"ird, <&> na;me\n\xff\tx\x01\x1b[31m\x7f\\ \xc3\xa9\xe2\x82 "
	"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80 \xe2\x82\xac\xf0\x9f\x98\x80"
	"\xc2\x9b";

/* The same with each invalid byte as U+FFFD. */
static const char hostile_fixed[] =
	"we\"ird, <&> na;me\n" R "\tx\x01\x1b[31m\x7f\\ \xc3\xa9" R R " "
	R3 R3 R3 " \xe2\x82\xac\xf0\x9f\x98\x80\xc2\x9b";

/* ... and with what XML 1.0 forbids (controls, DEL) as U+FFFD too. */
static const char hostile_xml[] =
	"we\"ird, <&> na;me\n" R "\tx" R R "[31m" R "\\ \xc3\xa9" R R " "
	R3 R3 R3 " \xe2\x82\xac\xf0\x9f\x98\x80\xc2\x9b";

static const char hostile_folded[] =
	"we\"ird,_<&>_na_me_" R "_x__[31m_\\_\xc3\xa9" R R "_"
	R3 R3 R3 "_\xe2\x82\xac\xf0\x9f\x98\x80\xc2\x9b";

typedef void file_fn(FILE *f, const char *s, size_t max);

static void result(const char *name, const char *why)
{
	if (why)
		printf("FAIL escape.%s: %s\n", name, why);
	else
		printf("PASS escape.%s\n", name);
}

/* What @fn writes for @s, NUL-terminated; its length in *@n. */
static char *run(file_fn *fn, const char *s, size_t max, size_t *n)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, n);

	if (!f) {
		perror("escape_test: open_memstream");
		exit(0);
	}
	fn(f, s, max);
	fclose(f);
	return out;
}

static void expect(const char *name, file_fn *fn, const char *s, size_t max,
		   const char *want)
{
	size_t n;
	char *got = run(fn, s, max, &n);

	if (n == strlen(want) && !memcmp(got, want, n)) {
		result(name, NULL);
	} else {
		printf("# %s: got [%s] want [%s]\n", name, got, want);
		result(name, "output differs");
	}
	free(got);
}

static void expect_text(const char *name, size_t len, const char *s,
			size_t max, const char *want)
{
	char dst[256];

	memset(dst, 'Z', sizeof(dst));
	esc_text(dst, len, s, max);
	if (!len && dst[0] == 'Z') {
		result(name, NULL);
	} else if (len && !strcmp(dst, want) && dst[len] == 'Z') {
		result(name, NULL);
	} else {
		printf("# %s: got [%.*s] want [%s]\n", name, (int)len, dst,
		       want);
		result(name, "output differs or overran the buffer");
	}
}

static void small_cases(void)
{
	expect("json.specials", esc_json, "a\"b\\c/", 99, "\"a\\\"b\\\\c/\"");
	expect("json.controls", esc_json, "\n\t\r\x01\x1f\x7f", 99,
	       "\"\\n\\t\\r\\u0001\\u001f\\u007f\"");
	expect("json.invalid", esc_json, "\xff\xc3", 99,
	       "\"\\ufffd\\ufffd\"");
	expect("json.utf8", esc_json, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	       99, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	expect("json.empty", esc_json, "", 99, "\"\"");
	expect("json.null", esc_json, NULL, 99, "\"\"");
	expect("json.max", esc_json, "abcdef", 3, "\"abc\"");
	expect("json.max-mid-char", esc_json, "a\xc3\xa9", 2, "\"a\\ufffd\"");
	expect("json.stops-at-nul", esc_json, "ab\0cd", 5, "\"ab\"");
	expect("csv.quote", esc_csv, "a\"b,c", 99, "\"a\"\"b,c\"");
	expect("csv.newline", esc_csv, "a\r\nb\tc\x7f", 99,
	       "\"a\r\nb\tc\x7f\"");
	expect("csv.invalid", esc_csv, "a\xff\xe2\x82", 99,
	       "\"a" R R R "\"");
	expect("csv.empty", esc_csv, "", 99, "\"\"");
	expect("xml.specials", esc_xml, "<a href=\"x\">&'", 99,
	       "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
	expect("xml.whitespace", esc_xml, "\t\n\r", 99, "&#9;&#10;&#13;");
	expect("xml.forbidden", esc_xml, "\x01\x1b\x7f\xef\xbf\xbe\xef\xbf\xbf",
	       99, R R R R R);
	expect("xml.utf8", esc_xml, "\xc3\xa9\xef\xbf\xbd\xc2\x85", 99,
	       "\xc3\xa9\xef\xbf\xbd\xc2\x85");
	expect("folded.separators", esc_folded, "a;b c\td\ne\x7f", 99,
	       "a_b_c_d_e_");
	expect("folded.invalid", esc_folded, "f\xff\xc3\xa9", 99,
	       "f" R "\xc3\xa9");
}

static void utf8_cases(void)
{
	expect_text("utf8.valid", 99,
		    "\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\xf0\x9f\x98\x80"
		    "\xf4\x8f\xbf\xbf",
		    99,
		    "\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\xf0\x9f\x98\x80"
		    "\xf4\x8f\xbf\xbf");
	expect_text("utf8.lone-bytes", 99, "\x80\xbf\xfe\xff\xf5", 99,
		    "\\x80\\xbf\\xfe\\xff\\xf5");
	expect_text("utf8.truncated", 99, "\xe2\x82!\xf0\x9f\x98", 99,
		    "\\xe2\\x82!\\xf0\\x9f\\x98");
	expect_text("utf8.truncated-by-max", 99, "\xe2\x82\xac", 2,
		    "\\xe2\\x82");
	expect_text("utf8.overlong", 99, "\xc0\xaf\xc1\xbf\xe0\x80\xaf"
		    "\xf0\x80\x80\xaf", 99,
		    "\\xc0\\xaf\\xc1\\xbf\\xe0\\x80\\xaf\\xf0\\x80\\x80\\xaf");
	expect_text("utf8.surrogates", 99, "\xed\xa0\x80\xed\xbf\xbf", 99,
		    "\\xed\\xa0\\x80\\xed\\xbf\\xbf");
	expect_text("utf8.past-10ffff", 99, "\xf4\x90\x80\x80", 99,
		    "\\xf4\\x90\\x80\\x80");
	/* U+07FF, U+0800, U+D7FF, U+E000, U+10000 */
	expect_text("utf8.edges", 99,
		    "\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
		    "\xf0\x90\x80\x80",
		    99,
		    "\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
		    "\xf0\x90\x80\x80");
}

static void text_cases(void)
{
	expect_text("text.escapes", 99, "a\\b\n\t\r", 99, "a\\\\b\\n\\t\\r");
	expect_text("text.controls", 99, "\x01\x1b[0m\x7f", 99,
		    "\\x01\\x1b[0m\\x7f");
	expect_text("text.c1", 99, "\xc2\x9b" "2J\xc2\x9f\xc2\xa0", 99,
		    "\\xc2\\x9b" "2J\\xc2\\x9f\xc2\xa0");
	expect_text("text.null", 99, NULL, 99, "");
	expect_text("text.len0", 0, "abc", 99, "");
	expect_text("text.len1", 1, "abc", 99, "");
	expect_text("text.fits", 4, "abc", 99, "abc");
	expect_text("text.cut", 3, "abc", 99, "ab");
	expect_text("text.cut-before-escape", 3, "a\nb", 99, "a");
	expect_text("text.escape-fits", 4, "a\nb", 99, "a\\n");
	expect_text("text.cut-before-hex", 6, "ab\xff", 99, "ab");
	expect_text("text.cut-before-char", 4, "ab\xe2\x82\xac", 99, "ab");
	expect_text("text.char-fits", 6, "ab\xe2\x82\xac", 99,
		    "ab\xe2\x82\xac");
}


/*
 * The code point at @p in *@cp and its length, or 0 if it is not valid
 * UTF-8. Decodes by value, not by byte ranges as the escaper does.
 */
static int decode1(const unsigned char *p, size_t left, unsigned *cp)
{
	static const unsigned char mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int n, i;

	n = p[0] < 0x80 ? 1 : p[0] < 0xc0 ? 0 : p[0] < 0xe0 ? 2 :
	    p[0] < 0xf0 ? 3 : p[0] < 0xf8 ? 4 : 0;
	if (!n || (size_t)n > left)
		return 0;
	*cp = p[0] & mask[n];
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if (*cp < min[n] || (*cp >= 0xd800 && *cp < 0xe000) || *cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * Why @n bytes at @s are not valid UTF-8, or hold a C0 control or DEL
 * other than those in @ok (NULL: any), or NULL if they are clean.
 */
static const char *unclean(const char *s, size_t n, const char *ok)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	size_t i;
	int k;

	for (i = 0; i < n; i += k) {
		k = decode1(p + i, n - i, &cp);
		if (!k)
			return "invalid UTF-8";
		if (ok && (cp < 0x20 || cp == 0x7f) && !(cp && strchr(ok, cp)))
			return "a raw control byte";
	}
	return NULL;
}

/* U+0000..U+FFFF into UTF-8 at @o; returns the length. */
static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | cp >> 6;
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	o[0] = 0xe0 | cp >> 12;
	o[1] = 0x80 | (cp >> 6 & 0x3f);
	o[2] = 0x80 | (cp & 0x3f);
	return 3;
}

/* @digits hex digits at @p into *@v; 0 if they are not all there. */
static int hex(const char *p, int digits, unsigned *v)
{
	char tmp[8];

	if ((int)strspn(p, "0123456789abcdefABCDEF") < digits)
		return 0;
	memcpy(tmp, p, digits);
	tmp[digits] = '\0';
	*v = strtoul(tmp, NULL, 16);
	return 1;
}

/* A JSON string read as a JSON parser would, into @out (NUL-ended). */
static const char *json_unquote(const char *in, size_t n, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *c;
	unsigned cp;
	size_t i;

	if (n < 2 || in[0] != '"' || in[n - 1] != '"')
		return "not quoted";
	for (i = 1; i < n - 1; i++) {
		if (in[i] == '"')
			return "a bare quote inside";
		if (in[i] != '\\') {
			*out++ = in[i];
			continue;
		}
		if (++i == n - 1)
			return "a dangling backslash";
		if (in[i] == 'u' && hex(in + i + 1, 4, &cp) &&
		    (cp < 0xd800 || cp > 0xdfff) && i + 4 < n - 1) {
			out += put_utf8(out, cp);
			i += 4;
		} else if ((c = strchr(from, in[i])) && in[i]) {
			*out++ = to[c - from];
		} else {
			return "a bad escape";
		}
	}
	*out = '\0';
	return NULL;
}

/* One quoted CSV field read as RFC 4180 says, into @out. */
static const char *csv_unquote(const char *in, size_t n, char *out)
{
	size_t i;

	if (n < 2 || in[0] != '"' || in[n - 1] != '"')
		return "not quoted";
	for (i = 1; i < n - 1; i++) {
		if (in[i] == '"' && (i + 1 == n - 1 || in[++i] != '"'))
			return "a lone quote inside";
		*out++ = in[i];
	}
	*out = '\0';
	return NULL;
}

/* XML character data read as an XML parser would, into @out. */
static const char *xml_unescape(const char *in, size_t n, char *out)
{
	static const char *const ent[] = { "amp;&", "lt;<", "gt;>",
					   "quot;\"", "apos;'" };
	const char *end;
	char *e;
	unsigned cp;
	size_t i, k, len;

	for (i = 0; i < n; i = end - in + 1) {
		end = in + i;
		if (strchr("<>\"'", in[i]))
			return "a raw markup character";
		if (in[i] != '&') {
			*out++ = in[i];
			continue;
		}
		end = memchr(in + i, ';', n - i);
		if (!end)
			return "an unterminated reference";
		len = end - in - i; /* "&name" */
		for (k = 0; k < 5; k++)
			if (!strncmp(in + i + 1, ent[k], len))
				break;
		if (k < 5) {
			*out++ = ent[k][len];
		} else if (in[i + 1] == '#' && isdigit(in[i + 2]) &&
			   (cp = strtoul(in + i + 2, &e, 10), e == end) &&
			   (cp == 9 || cp == 10 || cp == 13)) {
			out += put_utf8(out, cp);
		} else {
			return "a bad reference";
		}
	}
	*out = '\0';
	return NULL;
}

/* Terminal text read back by a person: \\ \n \t \r \xHH, into @out. */
static const char *text_unescape(const char *in, char *out)
{
	static const char from[] = "\\ntr", to[] = "\\\n\t\r";
	const char *c;
	unsigned v;

	for (; *in; in++) {
		if (*in != '\\') {
			*out++ = *in;
			continue;
		}
		in++;
		if (*in == 'x' && hex(in + 1, 2, &v)) {
			*out++ = v;
			in += 2;
		} else if (*in && (c = strchr(from, *in))) {
			*out++ = to[c - from];
		} else {
			return "a bad escape";
		}
	}
	*out = '\0';
	return NULL;
}

/* PASS if @why is NULL and @got is @want. */
static void check_decoded(const char *name, const char *why, const char *got,
			  const char *want)
{
	if (!why && strcmp(got, want)) {
		printf("# %s: decoded [%s] want [%s]\n", name, got, want);
		why = "decodes to another name";
	}
	result(name, why);
}

/* A folded frame is read as it is, once no separator is left in it. */
static const char *folded_frame(const char *in, size_t n, char *out)
{
	if (memchr(in, ';', n) || memchr(in, ' ', n))
		return "a raw separator";
	memcpy(out, in, n);
	out[n] = '\0';
	return NULL;
}

typedef const char *decode_fn(const char *in, size_t n, char *out);

/* Each stream format, how its reader decodes it, and what it must give. */
static const struct format {
	const char *name;
	file_fn *fn;
	const char *ok; /* control bytes it may hold raw; NULL: any */
	decode_fn *decode;
	const char *want;
} formats[] = {
	{ "json", esc_json, "", json_unquote, hostile_fixed },
	{ "csv", esc_csv, NULL, csv_unquote, hostile_fixed },
	{ "xml", esc_xml, "", xml_unescape, hostile_xml },
	{ "folded", esc_folded, "", folded_frame, hostile_folded },
};

#define NR_FORMATS (sizeof(formats) / sizeof(formats[0]))

/* Why the first @max bytes of the name do not come out clean, or NULL. */
static const char *hostile_through(const struct format *fm, size_t max,
				   char *out)
{
	const char *why;
	size_t n;
	char *s = run(fm->fn, hostile, max, &n);

	why = unclean(s, n, fm->ok);
	if (!why)
		why = fm->decode(s, n, out);
	free(s);
	return why;
}

static void hostile_formats(void)
{
	char name[64], out[1024];
	const char *why;
	size_t k;

	for (k = 0; k < NR_FORMATS; k++) {
		snprintf(name, sizeof(name), "hostile.%s", formats[k].name);
		why = hostile_through(&formats[k], sizeof(hostile), out);
		check_decoded(name, why, out, formats[k].want);
	}
}

static void hostile_text(void)
{
	char text[1024], out[1024];
	const char *why;

	esc_text(text, sizeof(text), hostile, sizeof(hostile));
	why = unclean(text, strlen(text), "");
	if (!why && strstr(text, "\xc2\x9b"))
		why = "a raw C1 control";
	check_decoded("hostile.text", why ? why : text_unescape(text, out),
		      out, hostile);
}

/*
 * Every @len cuts the text between characters: what is left is a prefix
 * of the whole, reads back to a prefix of the name, and is clean.
 */
static void hostile_text_every_len(void)
{
	char full[1024], text[1024], out[1024];
	const char *why = NULL;
	size_t len, n;

	esc_text(full, sizeof(full), hostile, sizeof(hostile));
	for (len = 1; len <= strlen(full) + 1 && !why; len++) {
		memset(text, 'Z', sizeof(text));
		esc_text(text, len, hostile, sizeof(hostile));
		n = strnlen(text, len);
		if (n == len || text[len] != 'Z')
			why = "not NUL-terminated in len, or overran it";
		else if (strncmp(text, full, n))
			why = "not a prefix of the whole";
		else if ((why = text_unescape(text, out)) ||
			 (why = unclean(text, n, "")))
			;
		else if (strncmp(out, hostile, strlen(out)))
			why = "does not read back to a prefix of the name";
		if (!why && len == strlen(full) + 1 && n != strlen(full))
			why = "cut though it fits";
	}
	if (why)
		printf("# text.every-len: failed at len %zu\n", len - 1);
	result("hostile.text-every-len", why);
}

/* Whatever @max cuts off, including mid-character, the output is clean. */
static void hostile_every_max(void)
{
	char out[1024];
	const char *why = NULL;
	size_t max, k;

	for (max = 0; max <= sizeof(hostile) && !why; max++)
		for (k = 0; k < NR_FORMATS && !why; k++)
			why = hostile_through(&formats[k], max, out);
	if (why)
		printf("# every-max: failed at max %zu\n", max - 1);
	result("hostile.every-max", why);
}

/*
 * The hand-written number formatters against printf: every power of ten
 * and of two, one on either side, and a pseudo-random spread.
 */
static void fmt_cases(void)
{
	unsigned long long v, x2, x = 88172645463325252ULL;
	char got[64], want[64], *e;
	const char *why = NULL;
	int i, d;

	for (i = 0; i < 4000 && !why; i++) {
		if (i == 0)
			v = ~0ULL;	/* ULLONG_MAX (and its neighbours) */
		else if (i < 64)
			v = 1ULL << i;
		else if (i < 84)
			v = 1ULL;
		else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			v = x >> (i % 64);
		}
		for (d = 0; i >= 64 && i < 84 && d < i - 64; d++)
			v *= 10;
		for (d = -1; d <= 1 && !why; d++) {
			e = put_u64(got, v + d);
			*e = 0;
			snprintf(want, sizeof(want), "%llu", v + d);
			why = strcmp(got, want) ? "put_u64 differs from %llu" : NULL;
			if (why)
				break;
			e = put_hex(got, v + d);
			*e = 0;
			snprintf(want, sizeof(want), "%llx", v + d);
			why = strcmp(got, want) ? "put_hex differs" : NULL;
			if (why)
				break;
			/* microseconds, two decimals, half up (not printf's
			 * binary rounding of 0.015) */
			x2 = ((v + d) % 100000000000ULL + 5) / 10;
			e = put_us2(got, (v + d) % 100000000000ULL);
			*e = 0;
			snprintf(want, sizeof(want), "%llu.%02llu", x2 / 100,
				 x2 % 100);
			why = why ?: strcmp(got, want) ? "put_us2 differs" : NULL;
		}
	}
	if (why)
		printf("# fmt: %s: got %s, want %s\n", why, got, want);
	result("fmt.numbers", why);
}

/* DIR/NAME: @before, the name through @fn (NULL: raw), @after. */
static void dump_file(const char *dir, const char *name, file_fn *fn,
		      const char *before, const char *after)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	fputs(before, f);
	if (fn)
		fn(f, hostile, sizeof(hostile));
	else
		fwrite(hostile, 1, sizeof(hostile) - 1, f);
	fputs(after, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump")) {
		dump_file(argv[2], "raw", NULL, "", "");
		dump_file(argv[2], "json", esc_json, "", "\n");
		dump_file(argv[2], "csv", esc_csv, "", ",\"2nd\"\r\n");
		dump_file(argv[2], "xml", esc_xml, "", "");
		dump_file(argv[2], "folded", esc_folded, "main;", " 7\n");
		return 0;
	}
	small_cases();
	utf8_cases();
	text_cases();
	hostile_formats();
	hostile_text();
	hostile_text_every_len();
	hostile_every_max();
	fmt_cases();
	return 0;
}

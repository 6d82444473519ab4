/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing untrusted strings (paths from /proc/PID/maps, comm, anon VMA
 * names, symbols) into each report format. Each function reads at most
 * @max bytes of @s and stops early at a NUL; a NULL @s is an empty
 * string. Invalid UTF-8 (truncated or overlong sequences, surrogates,
 * code points past U+10FFFF) is handled one byte at a time.
 */
#ifndef __TT_ESCAPE_H
#define __TT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * A JSON string, with its quotes: " and \ escaped, control characters
 * (< 0x20 and 0x7f) as \n \t \r or \u00XX, valid UTF-8 as it is, each
 * invalid byte as \ufffd.
 */
void esc_json(FILE *f, const char *s, size_t max);

/* Room for @n bytes escaped by any writer here, with quotes and a NUL:
 * JSON spells a byte in at most 6 (\u0001, \ufffd), the terminal in 4. */
#define ESC_MAX(n) (6 * (n) + 3)

/*
 * One CSV field (RFC 4180): always quoted, " doubled, newlines kept
 * inside the quotes, each invalid byte as U+FFFD so the file stays UTF-8.
 */
void esc_csv(FILE *f, const char *s, size_t max);

/*
 * XML 1.0 text or attribute content: & < > " ' as entities, \t \n \r
 * as character references (attribute values keep them), and what
 * XML 1.0 forbids (other controls, 0x7f, U+FFFE, U+FFFF) and each
 * invalid byte as U+FFFD.
 */
void esc_xml(FILE *f, const char *s, size_t max);

/*
 * Terminal text in @dst (@len bytes with the NUL): \ as \\, \n \t \r as
 * such, other control bytes (C0, 0x7f and the UTF-8 of C1 controls) and
 * invalid bytes as \xHH, valid UTF-8 as it is. Always NUL-terminated
 * when @len > 0; cut only between characters, never inside an escape.
 * Returns @dst.
 */
char *esc_text(char *dst, size_t len, const char *s, size_t max);

/*
 * A frame name for folded stacks (flamegraph.pl, speedscope): ';', ' '
 * and control characters as '_', each invalid byte as U+FFFD.
 */
void esc_folded(FILE *f, const char *s, size_t max);

/*
 * A Prometheus or OpenMetrics label value, with its quotes: \ " and
 * newline escaped, each invalid byte as U+FFFD (label values are UTF-8).
 */
void esc_prom(FILE *f, const char *s, size_t max);

#endif /* __TT_ESCAPE_H */

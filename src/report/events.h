/* SPDX-License-Identifier: GPL-2.0 */
/* Text and NDJSON writers for the event stream. */
#ifndef __TT_OUTPUT_H
#define __TT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "tamtrace.h"

struct output {
	FILE *f;
	bool json;
	bool timestamp;
	long long mono_to_real_ns;	/* add to ts_ns for time of day */
	unsigned long long faults;
	unsigned long long allocs;
	int err;			/* first write error (-errno) */
};

struct summary {
	unsigned long long seen;	/* events the BPF filter accepted */
	unsigned long long dropped;
	const char *mode;
	unsigned long long duration_ns;
};

void output_init(struct output *o, FILE *f, bool json, bool timestamp);
void output_header(struct output *o);
/* ring_buffer callback: ctx is a struct output. */
int output_event(void *ctx, void *data, size_t len);
void output_summary(struct output *o, const struct summary *s);
int output_flush(struct output *o);

const char *class_name(unsigned int class);
const char *access_name(unsigned int access);
/* Write @s as a JSON string, quotes included. */
void json_str(FILE *f, const char *s, size_t max);

#endif /* __TT_OUTPUT_H */

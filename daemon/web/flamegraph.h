/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A flame graph as SVG, drawn by the daemon from counted stacks: an icicle,
 * the root ("all") at the top and each caller above its callees, frames
 * merged by function name (offsets dropped), widths proportional to counts,
 * siblings in name order, colours from a hash of the function name.
 *
 * Bounded: a frame narrower than FLAME_MIN_PERMILLE of the total is left
 * out with everything it called, and at most FLAME_MAX_FRAMES frames are
 * drawn; the graph says how many were left out.
 */
#ifndef SKBTRACE_FLAMEGRAPH_H
#define SKBTRACE_FLAMEGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FLAME_WIDTH 1200 /* px, the whole graph */
#define FLAME_MARGIN 10
#define FLAME_FRAME_HEIGHT 16
#define FLAME_HEADER 44
#define FLAME_MIN_PERMILLE 1 /* 0.1% */
#define FLAME_MAX_FRAMES 4096

struct flame_stack {
	const char *const
		*frames; /* "symbol+offset", innermost first, as the stack table keeps them */
	size_t n_frames;
	uint64_t count;
};

struct flame_opts {
	const char *title;
	const char *empty; /* shown instead of frames when the counts sum to 0 */
	const char *unit;  /* "drops" */
	bool standalone;   /* an SVG document (XML declaration), else for inlining in HTML */
};

/* Writes the graph to f; 0 or a negative errno. */
int flame_svg_write(FILE *f, const struct flame_stack *stacks, size_t n,
		    const struct flame_opts *o);

#endif /* SKBTRACE_FLAMEGRAPH_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters that outlive a probe instance.  A reload that changes a probe's
 * config replaces its instance, whose BPF maps start from zero.  Before the
 * old instance is freed its final counter values are absorbed here, by
 * series (family name and labels), and every later scrape adds them to what
 * the new instance reports for the same series, or exports them alone for
 * series the new config no longer produces.  So every counter stays
 * monotonic across reloads.  Gauges and counters the kernel keeps itself
 * (expo_family_kernel_owned()) are never carried.
 *
 * Bounded: at most `max_per_family` carried series per family; the value of
 * any further series goes to the family's overflow series, the one whose
 * every label is "overflow", as the probes' own maps do.
 */
#ifndef SKBTRACE_COUNTER_CARRY_H
#define SKBTRACE_COUNTER_CARRY_H

#include <stdbool.h>
#include <stddef.h>
#include "expo.h"

struct counter_carry;

struct counter_carry *counter_carry_new(void);
void counter_carry_free(struct counter_carry *c);

void counter_carry_set_limit(struct counter_carry *c, size_t max_per_family);

/*
 * Snapshot: from now on, every counter sample added to e gets the carried
 * value added and the sum becomes the new carried value.  Collect the old
 * instance into a fresh expo after this call.
 */
void counter_carry_absorb(struct counter_carry *c, struct expo *e);

/*
 * A scrape: every counter sample added to e from now on gets the carried
 * value of its series added, and fn (if not NULL) sees it, carried value
 * included, until counter_carry_emit_rest(), which then adds the carried
 * series that nothing produced (fn does not see those:
 * counter_carry_each_label() names them).  emit_rest returns 0 or -ENOMEM.
 */
int counter_carry_emit_rest(struct counter_carry *c, struct expo *e);
void counter_carry_apply_observed(struct counter_carry *c, struct expo *e, expo_counter_fn fn,
				  void *ctx);

/*
 * fn(value, ctx) for the value of label `name` of every carried series
 * that has one: every one of them is in every scrape.
 */
void counter_carry_each_label(const struct counter_carry *c, const char *name,
			      void (*fn)(const char *value, void *ctx), void *ctx);

/* Carried series in all, and series folded into an overflow series since the start. */
size_t counter_carry_count(const struct counter_carry *c);
uint64_t counter_carry_folded(const struct counter_carry *c);

#endif /* SKBTRACE_COUNTER_CARRY_H */

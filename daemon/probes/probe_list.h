/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every probe the daemon knows, one line each, best known first:
 * PROBE(name) stands for `const struct probe_ops name_probe_ops`, defined by
 * daemon/probes/name.c.  Included only by probe_registry.c, which expands it
 * into the declarations and the registry.  No include guard: it is meant to
 * be included more than once.
 */
PROBE(drop)
PROBE(reset)
PROBE(conntrack)
PROBE(retransmit)
PROBE(netfilter)

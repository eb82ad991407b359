/* SPDX-License-Identifier: GPL-2.0 */
/* The probe modules of daemon/probes/, one declaration each. */
#ifndef SKBTRACE_PROBES_H
#define SKBTRACE_PROBES_H

#include "probe.h"

extern const struct probe_ops drop_probe_ops;
extern const struct probe_ops reset_probe_ops;
extern const struct probe_ops conntrack_probe_ops;

#endif /* SKBTRACE_PROBES_H */

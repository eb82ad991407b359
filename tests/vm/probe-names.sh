#!/usr/bin/env bash
# Prints the name of every probe the daemon knows, one a line, read from
# the probe sources (SRCDIR/daemon/probes/*.c), so probes added on other
# branches show up in the kernel matrix without touching the harness.
set -euo pipefail
awk '/^const struct probe_ops [a-z_0-9]+ = \{/ { in_ops = 1 }
	in_ops && /\.name = "/ { gsub(/.*\.name = "|".*/, ""); print; in_ops = 0 }' \
	"${1:?SRCDIR}"/daemon/probes/*.c

#!/usr/bin/bash
# /init of the VM guests: a bare machine with the stock kernel, the modules
# the tests need and the daemon; runs the integration tests through
# run-tests.sh, whose result lines the host parses from the serial console,
# then powers off.  Nothing here mounts tracefs or bpffs: the daemon must
# find or mount what it needs itself, as on a fresh host.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root

/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /run
/bin/busybox mount -t tmpfs tmpfs /tmp
# bash's process substitution needs /dev/fd, which udev would create.
/bin/busybox ln -s /proc/self/fd /dev/fd
# Applets land in /bin, last on PATH: the real bash, ip, nft, curl, nstat
# and setpriv in /usr win where both exist.
/bin/busybox --install -s /bin

# Dependencies come first in the list; a module built into this kernel is
# simply not in it.
while read -r mod; do
	insmod "$mod" || echo "SKBTRACE-WARN cannot load $mod"
done < /etc/modules.load
ip link set lo up
# TCG is slow: test_netns_churn's namespaces come and go twenty times fewer.
export SKBTRACE_NETNS_CHURN=25
# ... and test_tcp_retransmit sends an eighth of its bytes through its lossy lo.
export SKBTRACE_RETRANSMIT_BYTES=262144

# Kernel command line: skbtrace.only=test_a,test_b runs just those tests;
# skbtrace.from=test_a starts at test_a (run.sh resuming a guest that died);
# skbtrace.bootcheck=1 (run.sh --boots) stops the runner after its first
# line, so a boot is measured through the same path as a real run.
only=$(sed -n 's/.*skbtrace\.only=\([^ ]*\).*/\1/p' /proc/cmdline)
from=$(sed -n 's/.*skbtrace\.from=\([^ ]*\).*/\1/p' /proc/cmdline)
bootcheck=$(sed -n 's/.*skbtrace\.bootcheck=\([^ ]*\).*/\1/p' /proc/cmdline)
[ "$bootcheck" = 1 ] || bootcheck=
# Test hook for run.sh's resume path only: skbtrace.crash_after=SECONDS
# crashes the kernel that long after the harness starts (sysrq c), as a
# guest that dies mid-run.
crash_after=$(sed -n 's/.*skbtrace\.crash_after=\([0-9]*\).*/\1/p' /proc/cmdline)
[ -z "$crash_after" ] || { sleep "$crash_after" && echo c > /proc/sysrq-trigger; } &
SKBTRACE=/skbtrace/skbtrace TESTGEN=/skbtrace/skbtrace-testgen SRCDIR=/skbtrace \
	/skbtrace/tests/vm/run-tests.sh --host-only /skbtrace/tests/vm/host-only ${only:+--only "$only"} \
	${from:+--from "$from"} ${bootcheck:+--boot-check}
echo "SKBTRACE-EXIT $?"
sync
poweroff -f

#!/usr/bin/env bash
# skbtrace_netns_info names every namespace the scrape labels, exactly once:
# the host; an `ip netns` namespace by its name; namespaces whose process
# sits in a cgroup of docker's, containerd's or the kubelet's layout (real
# cgroups made here, each holding a process of its namespace) as a
# container of that runtime with its short id, or a pod with its uid; and a
# deleted namespace's series goes with its drop series.
source "$(dirname "$0")/lib.sh"

N=3
INTERVAL=11 # two sweeps (DAEMON_NETNS_SWEEP_SEC) and a second
read -ra sel <<< "$(drop_select NO_SOCKET __udp4_lib_rcv)"
write_config "$TMP/config.json" '{ "name": "drop" }'
daemon_start "$TMP/config.json"

# info FILE INODE: the skbtrace_netns_info samples of that namespace.
info() { grep "^skbtrace_netns_info{netns=\"$2\"," "$1" || true; }

# expect_info FILE INODE KIND NAME RUNTIME POD_UID WHAT: exactly that one series.
expect_info() {
	local want="skbtrace_netns_info{netns=\"$2\",kind=\"$3\",name=\"$4\",runtime=\"$5\",pod_uid=\"$6\"} 1"
	assert_eq "$want" "$(info "$1" "$2")" "$7"
}

# The host: drops to a closed port of its loopback.
host_inode=$(stat -L -c %i /proc/self/ns/net)
"$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null

# An ip netns namespace.
ipns=$(netns_create ipn)
ipns_inode=$(netns_inode "$ipns")
in_ns "$ipns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null

# The cgroup2 mount: /sys/fs/cgroup, or its unified/ on a hybrid host.  A
# machine with no cgroup mounted at all (the QEMU guests' busybox init) gets
# one at /sys/fs/cgroup for the test, where the daemon looks.
if [ -d /sys/fs/cgroup ] && ! awk '$2 ~ "^/sys/fs/cgroup" { f = 1 } END { exit !f }' /proc/mounts &&
	mount -t cgroup2 none /sys/fs/cgroup 2> /dev/null; then
	on_exit "umount /sys/fs/cgroup"
	log "mounted cgroup2 at /sys/fs/cgroup for the test"
fi
cg_root=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	# /proc/mounts, not stat -f: busybox's stat names no cgroup2fs.
	if awk -v d="$d" '$2 == d && $3 == "cgroup2" { f = 1 } END { exit !f }' /proc/mounts; then
		cg_root=$d
		break
	fi
done
cg_why=
if [ -z "$cg_root" ]; then
	cg_why="no cgroup v2 mounted"
elif ! grep -q 'task iterator loaded' "$DAEMON_LOG"; then
	# Only a kernel without it excuses the daemon for going without.
	! has_task_iter || fail "no task iterator on a kernel that has it: $(grep -o 'no task iterator.*' "$DAEMON_LOG")"
	cg_why="the daemon has no task iterator: $(grep -o 'no task iterator.*' "$DAEMON_LOG")"
elif ! command -v unshare > /dev/null || ! command -v nsenter > /dev/null; then
	cg_why="no unshare or nsenter"
fi

# hex64 K: a container id of 64 hex digits whose first 12 tell this test's K-th one.
hex64() { printf '%08x%04x%04x%016x%016x%016x' $$ "$1" $RANDOM $RANDOM $RANDOM $RANDOM; }

# cg_rmdir DIR: removes a cgroup this test made, once its process is gone.
cg_rmdir() { poll 2 cg_gone "$1" || echo "cannot remove cgroup $1" >&2; }
cg_gone() { rmdir "$1" 2> /dev/null || [ ! -d "$1" ]; }

# own_netns PID: PID has left the host's namespace (unshare -n did its work).
own_netns() { [ "$(stat -L -c %i "/proc/$1/ns/net")" != "$host_inode" ]; }

# workload CGROUP: a process in a namespace of its own, moved into CGROUP
# (relative to the cgroup2 root, made here with its parents), with N drops;
# sets WL_INODE to the namespace's inode.
workload() {
	local cg=$cg_root/$1 dir pid made=()
	dir=$cg
	while [ ! -d "$dir" ]; do
		made=("$dir" "${made[@]}")
		dir=$(dirname "$dir")
	done
	mkdir -p "$cg" || fail "cannot make cgroup $cg"
	# Cleanup runs these in reverse: the deepest first.
	for dir in "${made[@]}"; do on_exit "cg_rmdir '$dir'"; done
	unshare -n sleep 300 > /dev/null &
	pid=$!
	PIDS+=("$pid")
	poll 5 own_netns "$pid" || true
	echo "$pid" > "$cg/cgroup.procs" || fail "cannot move $pid into $cg"
	nsenter -t "$pid" -n ip link set lo up
	nsenter -t "$pid" -n "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
	WL_INODE=$(stat -L -c %i "/proc/$pid/ns/net")
	[ "$WL_INODE" != "$host_inode" ] || fail "unshare -n gave no namespace of its own"
}

if [ -z "$cg_why" ]; then
	docker_id=$(hex64 1)
	workload "system.slice/docker-$docker_id.scope"
	docker_inode=$WL_INODE
	ctrd_id=$(hex64 2)
	workload "system.slice/cri-containerd-$ctrd_id.scope"
	ctrd_inode=$WL_INODE
	pod_uid=$(printf '%08x-%04x-4%03x-8%03x-%012x' $$ $((RANDOM % 65536)) $((RANDOM % 4096)) \
		$((RANDOM % 4096)) $((RANDOM * RANDOM)))
	pod_ctr=$(hex64 3)
	qos=kubepods.slice/kubepods-besteffort.slice
	workload "$qos/kubepods-besteffort-pod${pod_uid//-/_}.slice/cri-containerd-$pod_ctr.scope"
	pod_inode=$WL_INODE
else
	log "skipping the container and pod namespaces: $cg_why"
fi

scrape > "$TMP/m1"
# Every namespace with a drop series has its info series.
assert_eq $N "$(metric_sum "$TMP/m1" skbtrace_drops_total "${sel[@]}" netns="$ipns_inode")" \
	"drops of $ipns, as sent"
expect_info "$TMP/m1" "$host_inode" host host "" "" "the host namespace"
expect_info "$TMP/m1" "$ipns_inode" netns "$ipns" "" "" "the ip netns namespace, by its name"
if [ -z "$cg_why" ]; then
	for ino in "$docker_inode" "$ctrd_inode" "$pod_inode"; do
		assert_eq $N "$(metric_sum "$TMP/m1" skbtrace_drops_total "${sel[@]}" netns="$ino")" \
			"drops of namespace $ino, as sent"
	done
	expect_info "$TMP/m1" "$docker_inode" container "${docker_id:0:12}" docker "" \
		"a docker container (systemd driver)"
	expect_info "$TMP/m1" "$ctrd_inode" container "${ctrd_id:0:12}" containerd "" \
		"a containerd CRI container"
	expect_info "$TMP/m1" "$pod_inode" pod "$pod_uid" containerd "$pod_uid" \
		"a kubelet pod (systemd driver, besteffort)"
fi
labelled=$(grep -v '^#' "$TMP/m1" | grep -v '^skbtrace_netns_info' | grep -o 'netns="[0-9]*"' |
	sort -u | wc -l)
assert_eq "$labelled" "$(grep -c '^skbtrace_netns_info{' "$TMP/m1")" \
	"one info series per netns label value of the other families"
promtool_check "$TMP/m1"

# Same names at the next scrape, from the cache.
scrape > "$TMP/m2"
assert_eq "$(grep '^skbtrace_netns_info{' "$TMP/m1" | sort)" \
	"$(grep '^skbtrace_netns_info{' "$TMP/m2" | sort)" "the same series at the next scrape"

# A deleted namespace: its series goes with its drop series.
ip netns del "$ipns"
sleep $INTERVAL
scrape > "$TMP/m3"
assert_eq "" "$(info "$TMP/m3" "$ipns_inode")" "no info series of $ipns, $INTERVAL s after it went"
expect_info "$TMP/m3" "$host_inode" host host "" "" "the host namespace stays"
[ -z "$cg_why" ] || test_na "$cg_why (the host, ip netns and deletion checks passed)"
test_done

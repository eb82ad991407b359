#!/usr/bin/env bash
# The container path, run for real: packaging/kubernetes/Containerfile built
# with podman from the .deb of packaging/build-deb.sh, on a base image made
# from the cached debootstrapped Debian 12 (no registry), and the
# DaemonSet's own pod template of skbtrace.yaml played with `podman kube
# play` (kube-play.py puts it verbatim into a Deployment; only the image
# changes), with the shipped seccomp profile.  From inside the pod the
# daemon counts drops of test namespaces on the host exactly, against nft's
# counter, UdpNoPorts and conntrack's own `drop` statistic; it holds exactly
# CAP_BPF, CAP_PERFMON and CAP_SYSLOG on a read-only root; and once the pod
# is down the host holds none of its BPF programs or links.  Everything
# podman makes lives in a private store under $TMP and goes with the test.
# About 50 s here, a third of it building the package.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/conntrack_lib.sh"

for tool in podman runc catatonit bpftool nft debootstrap dpkg-buildpackage; do
	command -v "$tool" > /dev/null || fail "$tool is missing: run packaging/deps.sh --test"
done
/usr/bin/python3 -c 'import yaml' 2> /dev/null || fail "python3-yaml is missing: run packaging/deps.sh --test"

K8S=$SRCDIR/packaging/kubernetes
STORE=$TMP/store
IMAGE=localhost/skbtrace-test:$$
BASE=localhost/skbtrace-test-base:$$
N=40
LIMIT=8
CT_N=20

# podman's state, images and layers all under $STORE.  This machine mounts
# cgroup v1 controllers, which crun refuses ("hybrid mode"): runc.  Its hard
# nofile limit is below podman's default ulimits, which setrlimit refuses.
mkdir -p "$STORE/tmp" "$STORE/cni"
cat > "$TMP/containers.conf" << 'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=1024:1024"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF=$TMP/containers.conf
pm() {
	podman --root "$STORE/root" --runroot "$STORE/run" --tmpdir "$STORE/tmp" \
		--cni-config-dir "$STORE/cni" "$@"
}
# The pod's network is a CNI bridge, as on a node; podman 4.3 also publishes
# its containerPort on the host (port 9820 must be free).  CNI leaves its
# bridge, iptables-nft tables, forwarding sysctl and address leases behind:
# whatever of those the test found absent goes again, last.
for net in podman podman-default-kube-network; do
	[ -e "/var/lib/cni/networks/$net" ] || on_exit "rm -rf '/var/lib/cni/networks/$net'"
done
for fam in ip ip6; do
	for table in filter nat mangle raw; do
		nft list table $fam $table > /dev/null 2>&1 ||
			on_exit "nft delete table $fam $table 2> /dev/null"
	done
done
for link in cni-podman0 cni-podman1 cni-podman2; do
	[ -e "/sys/class/net/$link" ] || on_exit "ip link del $link 2> /dev/null"
done
on_exit "echo $(cat /proc/sys/net/ipv4/ip_forward) > /proc/sys/net/ipv4/ip_forward"
on_exit "echo $(cat /proc/sys/net/ipv6/conf/all/forwarding) > /proc/sys/net/ipv6/conf/all/forwarding"
# Cleanup runs in reverse: the pod goes first, then the images, then any
# mount left under the store, before lib.sh removes $TMP.
on_exit "grep -o \" $STORE/[^ ]*\" /proc/mounts | sort -r | xargs -r -n1 umount -l"
on_exit "pm rmi -af > /dev/null 2>&1"
on_exit "pm pod rm -af > /dev/null 2>&1; pm rm -af > /dev/null 2>&1"

# The image: build-deb.sh's .deb on a base imported from the cached rootfs.
log "building the package"
deb=$("$SRCDIR/packaging/build-deb.sh" --no-lintian --out "$TMP/deb" 2> "$TMP/deb.log" | tail -n1) ||
	{ tail -n 30 "$TMP/deb.log" >&2; fail "build-deb.sh failed"; }
ROOTFS=$("$SRCDIR/tests/integration/nspawn_rootfs.sh") || fail "cannot build the test rootfs"
tar -C "$ROOTFS" -c . | pm import -q - "$BASE" > /dev/null || fail "podman import of $ROOTFS failed"
mkdir "$TMP/ctx"
cp "$deb" "$TMP/ctx/"
pm build -q --build-arg BASE="$BASE" -t "$IMAGE" -f "$K8S/Containerfile" "$TMP/ctx" \
	> "$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log" >&2; fail "podman build failed"; }
assert_eq "$(dpkg-deb -f "$deb" Version)" \
	"$(pm run --rm --network none --entrypoint dpkg-query "$IMAGE" -W -f '${Version}' skbtrace)" \
	"the image holds the package build-deb.sh made"

# A namespace that exists before the pod starts: nft drops and a closed port.
ns=$(netns_create pod)
inode=$(netns_inode "$ns")
nft_drop_udp_port "$ns" 9999

# The DaemonSet's pod template, played.
/usr/bin/python3 "$K8S/kube-play.py" "$K8S/skbtrace.yaml" "$IMAGE" \
	> "$TMP/play.yaml" || fail "kube-play.py failed"
on_exit "pm kube play --down '$TMP/play.yaml' > /dev/null 2>&1"
pm kube play --seccomp-profile-root "$K8S" "$TMP/play.yaml" > "$TMP/play.log" 2>&1 ||
	{ cat "$TMP/play.log" >&2; fail "podman kube play failed"; }
ctr=$(pm ps -a --filter label=app.kubernetes.io/name=skbtrace --format '{{.Names}}' |
	grep -v -- -infra | head -n1)
[ -n "$ctr" ] || { pm ps -a >&2; fail "no skbtrace container in the pod"; }
pod=$(pm inspect "$ctr" --format '{{.Pod}}')
infra=$(pm pod inspect "$pod" --format '{{.InfraContainerID}}')
pod_ip=$(pm inspect "$infra" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
pid=$(pm inspect "$ctr" --format '{{.State.Pid}}')
sandbox=$(pm inspect "$infra" --format '{{.NetworkSettings.SandboxKey}}')
log "pod $pod, container $ctr (pid $pid), pod IP $pod_ip, netns $sandbox"
[ -n "$pod_ip" ] && [ "$pid" -gt 0 ] || fail "no pod IP or container pid"

port=$(/usr/bin/python3 -c '
import sys, yaml
ds = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "DaemonSet"][0]
c = ds["spec"]["template"]["spec"]["containers"][0]
print(c["ports"][0]["containerPort"], c["livenessProbe"]["httpGet"]["path"],
      c["readinessProbe"]["httpGet"]["path"])' "$K8S/skbtrace.yaml")
read -r port live_path ready_path <<< "$port"
pod_scrape() { curl -sf -m 5 "http://$pod_ip:$port${1:-/metrics}"; }
pod_answers() {
	pod_scrape > /dev/null && return 0
	[ "$(pm inspect "$ctr" --format '{{.State.Running}}')" = true ] ||
		{ pm logs "$ctr" >&2; fail "the container exited"; }
	return 1
}
poll 30 pod_answers || { pm logs "$ctr" >&2; fail "/metrics did not answer on $pod_ip:$port"; }
pm logs "$ctr" > "$TMP/daemon.log" 2>&1
DAEMON_LOG=$TMP/daemon.log
# fentry is refused on this kernel with or without a container (MACHINE.md).
assert_eq 0 "$(grep -v 'fentry is not usable' "$DAEMON_LOG" | grep -c 'not permitted' || true)" \
	"nothing refused with EPERM (seccomp) but fentry"
curl -sf -m 5 -o /dev/null "http://127.0.0.1:$port/metrics" ||
	fail "/metrics does not answer on the host port that podman 4.3 publishes"
pod_scrape "$live_path" > /dev/null || fail "liveness path $live_path does not answer"
pod_scrape "$ready_path" > "$TMP/ready" || fail "readiness path $ready_path does not answer"
for probe in drop reset conntrack; do
	assert_eq 1 "$(metric_sum "$TMP/ready" skbtrace_probe_attached probe=$probe)" \
		"probe $probe attached in the pod"
done

# Least privilege, as the host's kernel sees the container's main process.
want=0
for cap in 34 38 39; do want=$((want | 1 << cap)); done # SYSLOG, PERFMON, BPF
assert_eq "$(printf '%016x' $want)" "$(sed -n 's/^CapEff:\t//p' "/proc/$pid/status")" \
	"CapEff is exactly CAP_BPF, CAP_PERFMON, CAP_SYSLOG"
assert_eq 2 "$(sed -n 's/^Seccomp:\t//p' "/proc/$pid/status")" "a seccomp filter is in force"
assert_eq 1 "$(sed -n 's/^NoNewPrivs:\t//p' "/proc/$pid/status")" "no privilege escalation"
assert_eq false "$(pm inspect "$ctr" --format '{{.HostConfig.Privileged}}')" "not privileged"
assert_eq ro "$(awk '$5 == "/" { split($6, o, ","); print o[1] }' "/proc/$pid/mountinfo")" \
	"the container's root is mounted read-only"
[ "$(stat -L -c %i "/proc/$pid/ns/net")" != "$(stat -L -c %i /proc/self/ns/net)" ] ||
	fail "the pod runs in the host's network namespace"
[ "$(stat -L -c %i "/proc/$pid/ns/pid")" != "$(stat -L -c %i /proc/self/ns/pid)" ] ||
	fail "the pod runs in the host's PID namespace"

# The control: the same container under the runtime's default seccomp
# profile, which the manifest named before, loads no probe.
timeout 60 podman --root "$STORE/root" --runroot "$STORE/run" --tmpdir "$STORE/tmp" \
	--cni-config-dir "$STORE/cni" run --rm --network none --read-only --cap-drop all \
	--cap-add BPF,PERFMON,SYSLOG "$IMAGE" --config /etc/skbtrace/skbtrace.json \
	> "$TMP/default-seccomp.log" 2>&1 || true
assert_contains "$(cat "$TMP/default-seccomp.log")" "probe drop: " "the control ran the daemon"
assert_eq 0 "$(grep -c 'probe drop: attached' "$TMP/default-seccomp.log" || true)" \
	"under the default seccomp profile the drop probe does not attach"
assert_contains "$(cat "$TMP/default-seccomp.log")" "Operation not permitted" \
	"the default seccomp profile refuses bpf() with EPERM"

# Drops on the host, counted from inside the pod.
udp_noports() {
	in_ns "$ns" awk '/^Udp:/ { if (!c) { for (i = 2; i <= NF; i++) if ($i == "NoPorts") c = i }
		else print $c }' /proc/net/snmp
}
pod_scrape > "$TMP/before"
noports0=$(udp_noports)
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
pod_scrape > "$TMP/after"
assert_eq $N "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"
read -ra nf <<< "$(drop_select NETFILTER_DROP nf_hook_slow)"
read -ra ns_sel <<< "$(drop_select NO_SOCKET __udp4_lib_rcv)"
assert_eq $N $(($(metric_sum "$TMP/after" skbtrace_drops_total "${nf[@]}" netns="$inode") -
	$(metric_sum_or_zero "$TMP/before" skbtrace_drops_total "${nf[@]}" netns="$inode"))) \
	"NETFILTER_DROP drops in $ns, as the nft counter"
assert_eq $(($(udp_noports) - noports0)) \
	$(($(metric_sum "$TMP/after" skbtrace_drops_total "${ns_sel[@]}" netns="$inode") -
	$(metric_sum_or_zero "$TMP/before" skbtrace_drops_total "${ns_sel[@]}" netns="$inode"))) \
	"NO_SOCKET drops in $ns, as UdpNoPorts"
assert_eq "skbtrace_netns_info{netns=\"$inode\",kind=\"netns\",name=\"$ns\",runtime=\"\",pod_uid=\"\"} 1" \
	"$(grep "^skbtrace_netns_info{netns=\"$inode\"," "$TMP/after")" \
	"skbtrace_netns_info names $ns from inside the pod"

# A namespace made after the pod started: conntrack table full.
late=$(netns_create ct)
late_inode=$(netns_inode "$late")
ct_ruleset "$late"
ct_listener "$late" 8080 60
old_max=$(cat "$CT_MAX_SYSCTL")
ct_lower_max $LIMIT
log "connects: $(ct_fill "$late" 8080 $CT_N)"
table_full=$(ct_kernel_drops "$late")
# The host's own table holds CNI's NAT flows: scrape with the limit restored.
echo "$old_max" > "$CT_MAX_SYSCTL"
[ "$table_full" -gt 0 ] || fail "no table-full drop in $late"
pod_scrape > "$TMP/ct"
assert_eq "$table_full" \
	"$(metric_sum "$TMP/ct" skbtrace_conntrack_table_full_drops_total netns="$late_inode")" \
	"table-full drops in $late, as the kernel's drop statistic"
assert_eq "skbtrace_netns_info{netns=\"$late_inode\",kind=\"netns\",name=\"$late\",runtime=\"\",pod_uid=\"\"} 1" \
	"$(grep "^skbtrace_netns_info{netns=\"$late_inode\"," "$TMP/ct")" \
	"skbtrace_netns_info names $late, made after the pod started"

# Down: the programs and links that the daemon held are gone from the host.
ids=$(grep -hE '^(prog|link)_id:' /proc/"$pid"/fdinfo/* 2> /dev/null | sort -u)
progs=$(grep -c '^prog_id:' <<< "$ids" || true)
links=$(grep -c '^link_id:' <<< "$ids" || true)
log "the daemon holds $progs BPF programs and $links links"
[ "$progs" -gt 0 ] && [ "$links" -gt 0 ] || fail "no BPF program or link in the daemon's fds"
pm kube play --down "$TMP/play.yaml" > "$TMP/down.log" 2>&1 ||
	{ cat "$TMP/down.log" >&2; fail "podman kube play --down failed"; }
left() {
	local kind id
	while read -r kind id; do
		bpftool "${kind%_id:}" show id "$id" 2> /dev/null | head -n1
	done <<< "$ids"
}
none_left() { [ -z "$(left)" ]; }
poll 10 none_left || true
assert_eq "" "$(left)" "no BPF program or link of the daemon left after kube play --down"
assert_eq "" "$(pm ps -aq)" "no container left"
assert_eq "" "$(pm pod ps -q)" "no pod left"
[ ! -e "$sandbox" ] || fail "the pod's network namespace $sandbox is left"
pm rmi -af > /dev/null
assert_eq "" "$(pm images -aq)" "no image left"
test_done

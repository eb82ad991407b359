# Helpers of the conntrack tests, sourced after lib.sh.
# shellcheck shell=bash

CT_MAX_SYSCTL=/proc/sys/net/netfilter/nf_conntrack_max

# ct_ruleset NETNS: conntrack on for the namespace's lo traffic, plus an nft
# rule that drops UDP to port 9999 (a NETFILTER_DROP that is not table-full).
ct_ruleset() {
	in_ns "$1" nft -f - <<'NFT'
table inet skbtrace_ct {
	chain in {
		type filter hook input priority 0;
		ct state new accept
	}
}
NFT
	nft_drop_udp_port "$1" 9999
}

# ct_kernel_drops NETNS: the kernel's `drop` statistic of the namespace, all CPUs.
ct_kernel_drops() {
	local header col=0 sum=0 i row
	{
		read -ra header
		for i in "${!header[@]}"; do
			[ "${header[i]}" = drop ] && col=$i
		done
		while read -ra row; do
			sum=$((sum + 16#${row[col]}))
		done
	} < <(in_ns "$1" cat /proc/net/stat/nf_conntrack)
	echo "$sum"
}

# ct_lower_max N: lowers the GLOBAL nf_conntrack_max; the old value comes back on exit.
ct_lower_max() {
	local old
	old=$(cat "$CT_MAX_SYSCTL")
	on_exit "echo $old > $CT_MAX_SYSCTL"
	log "nf_conntrack_max $old -> $1 (host netns has $(cat /proc/sys/net/netfilter/nf_conntrack_count) entries; the count is per netns)"
	echo "$1" > "$CT_MAX_SYSCTL"
}

# ct_listener NETNS PORT SECONDS: a TCP listener whose backlog takes every connection.
ct_listener() {
	# ip netns exec execs the listener, so $! is the process the cleanup kills.
	ip netns exec "$1" "$TESTGEN" listen 127.0.0.1 "$2" 128 "$3" > "$TMP/ct_listener.$1.$2" &
	PIDS+=($!)
	wait_for_line "$TMP/ct_listener.$1.$2" listening
}

# ct_fill NETNS PORT COUNT: COUNT connects of 300 ms each, so one SYN per connect.
ct_fill() {
	in_ns "$1" "$TESTGEN" tcp-connect 127.0.0.1 "$2" "$3" 300
}

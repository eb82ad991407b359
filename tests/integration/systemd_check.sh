#!/bin/bash
# Runs inside the nspawn container as a oneshot unit: drives skbtrace through
# systemctl the way an operator would and leaves what it saw in /results,
# where test_systemd.sh asserts on it after the container powered off.
CFG=/usr/local/etc/skbtrace/skbtrace.json
GEN=/usr/local/bin/skbtrace-testgen
# shellcheck source=check_lib.sh
source /usr/local/lib/skbtrace-check/check_lib.sh
status_has() { prop StatusText | grep -qF "$1"; }
status_lacks() { ! status_has "$1"; }
config() {
	cat > "$CFG" <<JSON
{ "listen": "$1", "probes": [ $2 ] }
JSON
}

stat -L -c %i /proc/self/ns/net > "$R/netns"

# Start-up: active (running), Status= line, the kept capabilities.
config 127.0.0.1:9820 '{ "name": "drop" }, { "name": "reset", "filter": { "dport": 80 } },
	{ "name": "conntrack" }'
systemctl start skbtrace
poll 30 up
echo $? > "$R/start.rc"
save status.start systemctl status --no-pager skbtrace
grep -E '^(Cap|NoNewPrivs)' "/proc/$(prop MainPID)/status" > "$R/caps"

# A service with PrivateNetwork=: drops in its namespace, named by its unit.
# The sleep keeps a task in the namespace, which is how the daemon finds its cgroup.
systemd-run --quiet --unit=skbtrace-private.service -p PrivateNetwork=yes sh -c \
	"stat -L -c %i /proc/self/ns/net > $R/private.netns && $GEN udp 127.0.0.1 9999 5 && exec sleep 600"
private_info() { curl -sf "$URL" | grep -q "^skbtrace_netns_info{netns=\"$(cat "$R/private.netns")\""; }
poll 20 private_info
save metrics.private curl -sf "$URL"
systemctl stop skbtrace-private.service
# Gone with its last task; the daemon drops its series at a later scrape.
poll 30 sh -c "! curl -sf $URL | grep -q 'netns=\"$(cat "$R/private.netns")\"'"
save metrics.private.gone curl -sf "$URL"

# A broken config: reload fails, the old config keeps running and says so.
cp "$CFG" "$R/good.json"
echo '{ "listen": ' > "$CFG"
save reload.bad systemctl reload skbtrace
poll 10 status_has "reload failed"
save status.bad systemctl status --no-pager skbtrace
save metrics.bad curl -sf "$URL"

# A config whose drop probe is unchanged (only "listen" and explicit
# defaults differ) next to a changed reset probe: the drop probe keeps its
# maps and its counters continue, the reset probe is attached anew.
"$GEN" udp 127.0.0.1 9999 20
save metrics.same.before curl -sf "$URL"
config 127.0.0.1:9821 '{ "name": "drop", "enabled": true, "attach": "auto" },
	{ "name": "reset", "filter": { "dport": 443 } }'
save reload.same systemctl reload skbtrace
poll 10 status_lacks "reload failed"
"$GEN" udp 127.0.0.1 9999 7
save metrics.same.after curl -sf "$URL"

# A changed drop probe is re-attached with its new method and filter.
config 127.0.0.1:9820 '{ "name": "drop", "attach": "raw_tp", "filter": { "dport": 9998 } },
	{ "name": "reset", "filter": { "dport": 443 } }'
save reload.changed systemctl reload skbtrace
poll 10 sh -c "curl -sf $URL | grep -q 'method=\"raw_tp\"'"
"$GEN" udp 127.0.0.1 9998 7
"$GEN" udp 127.0.0.1 9997 5
save metrics.changed curl -sf "$URL"
save status.reloaded systemctl status --no-pager skbtrace

# The watchdog kills a stopped daemon and systemd restarts it.
restarts=$(prop NRestarts)
pid=$(prop MainPID)
[ "$pid" -gt 0 ] || exit 1
kill -STOP "$pid"
poll 40 sh -c "[ \$(systemctl show -p NRestarts --value skbtrace) -gt $restarts ]"
poll 30 up
echo "$restarts $(prop NRestarts) $pid $(prop MainPID)" > "$R/watchdog"
save metrics.watchdog curl -sf "$URL"

# Stop detaches every program the daemon held.
pid=$(prop MainPID)
[ "$pid" -gt 0 ] || exit 1
prog_ids > "$R/prog_ids"
bpftool prog show > "$R/progs.running" 2>&1
systemctl stop skbtrace
# Closing a link frees its program only after an RCU grace period, so a
# program may still be listed for a moment after the daemon has exited.
progs_gone() {
	: > "$R/prog_ids.left"
	for id in $(cat "$R/prog_ids"); do
		bpftool prog show id "$id" >> "$R/prog_ids.left" 2> /dev/null
	done
	[ ! -s "$R/prog_ids.left" ]
}
poll 10 progs_gone
echo "$(prop ActiveState) $(prop Result)" > "$R/stopped"

# Socket activation: systemd owns 127.0.0.1:9820 and the first scrape starts
# the daemon, which serves that socket although its config says 9830.
config 127.0.0.1:9830 '{ "name": "drop" }'
systemctl start skbtrace.socket
prop ActiveState > "$R/socket.before"
save metrics.socket curl -sf --max-time 20 "$URL"
save status.socket systemctl status --no-pager skbtrace
ls -l "/proc/$(prop MainPID)/fd/" > "$R/socket.fds"
systemctl stop skbtrace.socket skbtrace

save security systemd-analyze security --no-pager skbtrace.service
touch "$R/done"

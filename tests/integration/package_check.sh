#!/bin/bash
# Runs inside the booted nspawn container as a oneshot unit, after the
# skbtrace package was installed with apt: checks the running service as an
# operator would, then upgrades and purges the package.  Leaves what it saw
# in /results for test_debian_package.sh.
CFG=/etc/skbtrace/skbtrace.json
# shellcheck source=check_lib.sh
source /usr/local/lib/skbtrace-check/check_lib.sh
export DEBIAN_FRONTEND=noninteractive

# Installed by apt, started by nobody but systemd at boot.
poll 60 up
echo $? > "$R/start.rc"
save status.start systemctl status --no-pager skbtrace
save enabled systemctl is-enabled skbtrace.service skbtrace.socket
save socket.active systemctl is-active skbtrace.socket
save metrics.start curl -sf "$URL"
prog_ids > "$R/prog_ids.v1"

# The manual pages render.
save man.8 env MANPAGER=cat MANWIDTH=80 man skbtrace
save man.5 env MANPAGER=cat MANWIDTH=80 man 5 skbtrace.json

# Reload: the same process reads its config again.
pid=$(prop MainPID)
save reload systemctl reload skbtrace
poll 10 sh -c "journalctl -u skbtrace -o cat | grep -q 'configuration reloaded'"
echo "$pid $(prop MainPID)" > "$R/reload.pids"
save status.reload systemctl status --no-pager skbtrace
save metrics.reload curl -sf "$URL"

# Upgrade to a rebuilt package: the local edit of the conffile survives.
sed -i 's/"max_series": 4096/"max_series": 4000/' "$CFG"
cp "$CFG" "$R/config.edited"
pid=$(prop MainPID)
save upgrade sh -c 'cd /debs && apt-get install -y ./"$(cat /debs/upgrade)" < /dev/null'
save version dpkg-query -W -f '${Version}' skbtrace
cp "$CFG" "$R/config.after"
poll 30 up
echo $? > "$R/upgrade.up.rc"
echo "$pid $(prop MainPID)" > "$R/upgrade.pids"
save metrics.upgrade curl -sf "$URL"
prog_ids > "$R/prog_ids.v2"

# Purge stops the service and leaves nothing of it behind.
save purge apt-get purge -y skbtrace
save purge.active systemctl is-active skbtrace.service skbtrace.socket
save purge.pgrep pgrep -x skbtrace
ls -d /etc/skbtrace /lib/systemd/system/skbtrace.service /usr/sbin/skbtrace \
	/etc/systemd/system/multi-user.target.wants/skbtrace.service > "$R/purge.left" 2> /dev/null
save purge.dpkg dpkg-query -W skbtrace
touch "$R/done"

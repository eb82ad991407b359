# Container side of the nspawn tests: what the check scripts share.  Every
# step records what it saw in /results and goes on, so that one failure
# still shows the rest.
# shellcheck shell=bash
# nspawn_install_checks puts poll_lib.sh beside this file, as in the source tree.
# shellcheck source=poll_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/poll_lib.sh"

R=/results
URL=http://127.0.0.1:9820/metrics
exec > "$R/check.log" 2>&1
set -x
# Whatever happens, leave the journal and power off.
finish() {
	journalctl -u skbtrace -u skbtrace.socket --no-pager -o cat > "$R/journal"
	systemctl poweroff --no-block
}
trap finish EXIT

prop() { systemctl show -p "$1" --value skbtrace; }
up() { systemctl is-active -q skbtrace && curl -sf -o /dev/null "$URL"; }
# save NAME CMD...: CMD's output in NAME, its exit code in NAME.rc.
save() {
	local name=$1
	shift
	"$@" > "$R/$name" 2>&1
	echo $? > "$R/$name.rc"
}
# The ids of the BPF programs the running daemon holds.
prog_ids() {
	cat /proc/"$(prop MainPID)"/fdinfo/* 2> /dev/null | sed -n 's/^prog_id:\s*//p' | sort -u
}

# Reading the runner's result lines (run-tests.sh): the verdict of one run
# and the probe x kernel table of several.
# shellcheck shell=bash

# results_ok FILE: true when the run finished and no test failed; says why
# not otherwise (a guest that panicked or hung never prints DONE).
results_ok() {
	local file=$1 done_line
	done_line=$(grep '^SKBTRACE-DONE ' "$file" || true)
	if [ -z "$done_line" ]; then
		echo "FAIL: the run did not finish (no SKBTRACE-DONE line; see the console log)" >&2
		return 1
	fi
	if grep -q '^SKBTRACE-RESULT [^ ]* FAIL' "$file"; then
		grep '^SKBTRACE-RESULT [^ ]* FAIL' "$file" | sed 's/^SKBTRACE-RESULT /FAIL: /' >&2
		return 1
	fi
	local pass na xfail
	read -r _ pass _ na xfail <<< "$done_line"
	[ "${xfail:-0}" != 0 ] || xfail=''
	echo "# $pass passed, $na not applicable${xfail:+, $xfail known failures (XFAIL)}"
}

# matrix_markdown DIR COLUMN...: Markdown tables from DIR/results-COLUMN.txt.
matrix_markdown() {
	local dir=$1
	shift
	local cols=("$@") c f
	local files=()
	for c in "${cols[@]}"; do
		f=$dir/results-$c.txt
		[ -e "$f" ] || f=/dev/null
		files+=("$c=$f")
	done
	awk '
	# One row per name, one cell per column: cell[name, column] or "-".
	function table(names, n, cell,   r, i, row) {
		print hdr; print sep
		for (r = 1; r <= n; r++) {
			row = "| " names[r] " |"
			for (i = 1; i <= ncol; i++) row = row " " ((names[r], i) in cell ? cell[names[r], i] : "-") " |"
			print row
		}
	}
	BEGIN {
		for (i = 1; i < ARGC; i++) {
			split(ARGV[i], kv, "=")
			col[i] = kv[1]
			ncol = i
			kernel[i] = "not run"
			while ((getline line < kv[2]) > 0) {
				n = split(line, w, " ")
				if (w[1] == "SKBTRACE-KERNEL")
					kernel[i] = w[2]
				else if (w[1] == "SKBTRACE-SECONDS")
					secs[i] = w[2] "s"
				else if (w[1] == "SKBTRACE-RETRIED") {
					# run.sh booted this guest twice: say why, in a row
					# of its own that only a retried run adds.
					why = line
					sub(/^[^ ]* /, "", why)
					gsub(/\|/, "/", why)
					retried[i] = "second boot; the first " why
					nretried++
				}
				else if (w[1] == "SKBTRACE-ATTACH") {
					if (!(w[2] in probe_seen)) { probe_seen[w[2]] = 1; probes[++np] = w[2] }
					attach[w[2], i] = w[3]
				} else if (w[1] == "SKBTRACE-RESULT") {
					if (!(w[2] in test_seen)) { test_seen[w[2]] = 1; tests[++nt] = w[2] }
					why = ""
					for (j = 5; j <= n; j++) why = why (j > 5 ? " " : "") w[j]
					gsub(/\|/, "/", why)
					res[w[2], i] = w[3] (why != "" ? " (" why ")" : "")
				}
			}
			close(kv[2])
			ARGV[i] = ""
		}
		hdr = "| |"; sep = "|---|"
		for (i = 1; i <= ncol; i++) {
			hdr = hdr " " col[i] " `" kernel[i] "` |"
			sep = sep "---|"
		}
		print "### Attach method chosen (`attach: auto`)\n"
		table(probes, np, attach)
		print "\n### Integration tests\n"
		table(tests, nt, res)
		row = "| wall time |"
		for (i = 1; i <= ncol; i++) row = row " " (i in secs ? secs[i] : "-") " |"
		print row
		if (nretried) {
			row = "| boot retried |"
			for (i = 1; i <= ncol; i++) row = row " " (i in retried ? retried[i] : "-") " |"
			print row
		}
	}' "${files[@]}"
}

# SPDX-License-Identifier: GPL-2.0
#
# tap.awk - turn a results file into one line per result.
#
# Input: sections "# vgr-test: NAME", the test's TAP, "# vgr-exit: NAME RC"
# (harness/init.sh and harness/test.sh write them).  Output: lines
# "PASS|FAIL|SKIP <where>/<NAME>: <description>".  A test that exits badly
# without saying "not ok", plans more results than it gives, never ends, or
# is expected (-v expect=FILE) but absent, is a FAIL of its own.  A program
# that prints no TAP at all is one result, judged by its exit status.
# -v where=guest|host|mainline labels the lines; -v needdone=1 requires the
# final "# vgr-done" marker.
function out(kind, name, desc) {
	printf "%s %s/%s: %s\n", kind, where, name, desc
}
function end_section(rc) {
	if (rc == 124 || rc == 137 || rc == 143)
		out("FAIL", cur, "timed out (exit " rc ")")
	else if (rc == 4 && got == 0)
		out("SKIP", cur, skipwhy != "" ? skipwhy : "skipped as a whole (exit 4)")
	else if (planned < 0 && got == 0)
		# Not a TAP program (some of the base's selftests): its status.
		out(rc == 0 ? "PASS" : "FAIL", cur, "exit status " rc " (no TAP output)")
	else if (rc != 0 && rc != 4 && nfail == 0)
		out("FAIL", cur, "exited with status " rc " without reporting a failure")
	else if (planned > got && rc != 4)
		out("FAIL", cur, "planned " planned " results but gave " got)
	cur = ""
}
BEGIN {
	if (expect != "")
		while ((getline line < expect) > 0)
			if (split(line, w, " ") > 0)
				wanted[w[1]] = 1
}
{ gsub(/\r/, "") }
/^# vgr-test: / {
	if (cur != "")
		out("FAIL", cur, "no exit status (crashed the run?)")
	cur = $3; seen[cur] = 1
	planned = -1; got = 0; nfail = 0; skipwhy = ""
	next
}
/^# vgr-exit: / { if (cur != "") end_section($4 + 0); next }
/^# vgr-done/ { done = 1; next }
cur == "" { next }
/^1\.\.[0-9]+/ {
	planned = substr($1, 4) + 0
	if (match($0, /# [Ss][Kk][Ii][Pp].*/))
		skipwhy = substr($0, RSTART + 7)
	next
}
/^(not )?ok [0-9]+/ {
	got++
	line = $0
	sub(/^(not )?ok [0-9]+ *(- )?/, "", line)
	if ($0 ~ /^not ok/ && line !~ /# TODO/) {
		out("FAIL", cur, line); nfail++
	} else if (line ~ /# [Ss][Kk][Ii][Pp]/)
		out("SKIP", cur, line)
	else
		out("PASS", cur, line)
}
END {
	if (cur != "")
		out("FAIL", cur, "did not finish (timeout, hang or guest died)")
	for (name in wanted)
		if (!(name in seen))
			out("FAIL", name, "no result (not run: earlier hang or crash?)")
	if (needdone && !done)
		out("FAIL", "run", "the guest did not reach the end of its tests")
}

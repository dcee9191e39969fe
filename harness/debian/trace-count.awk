# SPDX-License-Identifier: GPL-2.0
#
# trace-count.awk - count the getrandom system calls in a Debian guest's
# kernel trace (harness/debian/vgr-tests.sh saves it), per program.
#
# The trace has the events the kernel was booted with
# (harness/debian-guest.sh): syscalls:sys_enter_getrandom, and
# task:task_newtask and task:task_rename, which say what each process or
# thread is called from its creation on (a rename is an exec, prctl() or a
# write to /proc/PID/comm).  The name the trace prints beside each event
# comes from a small cache of names the kernel keeps for the reader, which
# holds only the last name of a pid and forgets pids when more than 128 have
# run: so each call is put to the name its pid had when the call was made,
# as the task events tell it, and only pids that no event names (those
# started before tracing) fall back to the printed one.
#
# Output, one item per line: "total N", "boot N" (before the workload's
# marker), "workload N", "ends N" (1 if both markers were seen), then
# "comm<TAB>NAME<TAB>N" for every name, most calls first.
function set_comm(pid, s,    c) {
	c = s
	sub(/ oom_score_adj=.*/, "", c)
	comm[pid] = c
}
{
	# "NAME-PID [CPU] FLAGS TIME: EVENT: ...": the pid is the number
	# before the CPU field (a name may hold '-' and digits itself).
	if (!match($0, /-[0-9]+ +\[[0-9]+\] /))
		next
	printed = substr($0, 1, RSTART - 1)
	sub(/^ +/, "", printed)
	pidfield = substr($0, RSTART + 1, RLENGTH)
	sub(/ .*/, "", pidfield)
	rest = substr($0, RSTART + RLENGTH)
}
rest ~ /: task_newtask: pid=/ {
	s = rest
	sub(/.*: task_newtask: pid=/, "", s)
	pid = s
	sub(/ .*/, "", pid)
	sub(/^[0-9]+ comm=/, "", s)
	sub(/ clone_flags=.*/, "", s)
	set_comm(pid, s)
	next
}
rest ~ /: task_rename: pid=/ {
	s = rest
	sub(/.*: task_rename: pid=/, "", s)
	pid = s
	sub(/ .*/, "", pid)
	sub(/.* newcomm=/, "", s)
	set_comm(pid, s)
	next
}
rest ~ /: tracing_mark_write: vgr: workload start/ { phase = "workload"; ends++; next }
rest ~ /: tracing_mark_write: vgr: workload end/ { phase = "after"; ends++; next }
rest ~ /: sys_getrandom\(/ {
	name = (pidfield in comm) ? comm[pidfield] : printed
	calls[name]++
	total++
	if (phase == "")
		boot++
	else if (phase == "workload")
		work++
}
END {
	printf "total %d\nboot %d\nworkload %d\nends %d\n", total, boot, work, ends == 2
	for (name in calls)
		printf "comm\t%s\t%d\n", name, calls[name] | "sort -t '\t' -k3,3nr -k2,2"
}

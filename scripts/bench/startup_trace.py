#!/usr/bin/env python3
"""startup_trace.py — where a fork worker's start-up goes, seen by the kernel.

Traces (tracefs: root, and a kernel with the syscalls, sched and exceptions
events) the launches of a sweep's fork workers and, for comparison, those of
a minimal standalone program that does only what a pool's launch must: after
4 ms asleep (cold, as a pool's launch follows the harness's wait), fork a
child that writes one message to a pipe (its READY) while the parent waits
in poll, then reap it. For each it prints the medians of:

  clone         the fork system call in the parent (enter → return)
  child runs    the system call's entry → the child first switched in
  faults        page faults the child took from then until its READY
  child→READY   the child's first switch-in → its READY write
  READY         the system call's entry → the READY write

and the share of children that ran on the parent's CPU. The pool's workers
are told apart by their pids in the results (workers_detail[].pid), so the
floors, the ceiling and the self-check, which fork too, are left out.

    sudo scripts/bench/startup_trace.py [-r RUNS] [-s SIZE] [--counters LIST]

Environment: MPBENCH, the binary [buildrel/harness/mpbench, else
build/harness/mpbench]; measure a release build, on a quiet machine. What it
shows is why a fork worker's start-up (derived.startup_per_worker_ns) sits
above the fork+exit+wait floor: results/README.md, startup_timeline.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

TRACEFS = "/sys/kernel/tracing"
EVENTS = ("syscalls:sys_enter_clone", "syscalls:sys_exit_clone", "sched:sched_wakeup_new",
          "sched:sched_switch", "exceptions:page_fault_user", "exceptions:page_fault_kernel",
          "syscalls:sys_enter_write")

MINIMAL = r"""
#define _GNU_SOURCE
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 21, fd[2];
	struct timespec ms4 = { 0, 4000000 };
	if (pipe(fd))
		return 1;
	for (int i = 0; i < rounds; i++) {
		nanosleep(&ms4, NULL);
		pid_t p = fork();
		if (p == 0) {
			char ready[44] = { 2 };
			_exit(write(fd[1], ready, sizeof ready) != sizeof ready);
		}
		struct pollfd pf = { fd[0], POLLIN, 0 };
		char buf[44];
		if (p < 0 || poll(&pf, 1, -1) != 1 || read(fd[0], buf, sizeof buf) != sizeof buf)
			return 1;
		waitpid(p, NULL, 0);
	}
	return 0;
}
"""

LINE = re.compile(r"^\s*(.+)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(.*)$")


def mpbench_bin():
    return benchlib.mpbench_bin("startup_trace.py")


def tracefs_write(name, text):
    with open(os.path.join(TRACEFS, name), "w") as f:
        f.write(text)


def traced(cmd, out):
    """Run cmd with EVENTS traced; the trace into out."""
    tracefs_write("tracing_on", "0")
    tracefs_write("trace", "")
    tracefs_write("buffer_size_kb", "16384")
    tracefs_write("set_event", "\n".join(EVENTS) + "\n")
    tracefs_write("trace_clock", "mono")
    tracefs_write("tracing_on", "1")
    try:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        tracefs_write("tracing_on", "0")
        with open(os.path.join(TRACEFS, "trace")) as f, open(out, "w") as o:
            o.write(f.read())
        tracefs_write("set_event", "")


def launches(path):
    """{child pid: {comm, enter, exit, cpu, run, rcpu, faults, ready}} (µs)
    of every fork traced (the machine's: other processes' too): the
    parent's name, its clone entry and return, the child's first switch-in,
    its page faults until its first write, that write."""
    pending, child = {}, {}
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            comm, tid, cpu, ts, rest = m.groups()
            tid, cpu, ts = int(tid), int(cpu), float(ts) * 1e6
            if rest.startswith("sys_clone("):
                pending[tid] = {"enter": ts, "cpu": cpu, "comm": comm.strip()}
            elif rest.startswith("sched_wakeup_new") and tid in pending:
                pending[tid]["child"] = int(re.search(r" pid=(\d+)", rest).group(1))
            elif rest.startswith("sys_clone ->") and tid in pending \
                    and rest.split("->")[1].strip() != "0x0":
                p = pending.pop(tid)
                p["exit"], p["faults"] = ts, 0
                if "child" in p:
                    child[p["child"]] = p
            elif rest.startswith("sched_switch"):
                c = child.get(int(re.search(r"next_pid=(\d+)", rest).group(1)))
                if c is not None and "run" not in c:
                    c["run"], c["rcpu"] = ts, cpu
            elif tid in child and "run" in child[tid] and "ready" not in child[tid]:
                if rest.startswith("page_fault"):
                    child[tid]["faults"] += 1
                elif rest.startswith("sys_write("):
                    child[tid]["ready"] = ts
    return {pid: c for pid, c in child.items() if "run" in c and "ready" in c}


def summary(name, rows):
    if not rows:
        print("  %-28s no launch traced" % name)
        return
    med = lambda f: statistics.median(f(r) for r in rows)
    print("  %-28s %3d  %8.1f  %10.1f  %6.0f  %11.1f  %8.1f  %5.0f%%" % (
        name, len(rows), med(lambda r: r["exit"] - r["enter"]),
        med(lambda r: r["run"] - r["enter"]), med(lambda r: r["faults"]),
        med(lambda r: r["ready"] - r["run"]), med(lambda r: r["ready"] - r["enter"]),
        100.0 * sum(r["rcpu"] == r["cpu"] for r in rows) / len(rows)))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-r", "--runs", type=int, default=15, help="runs of the sweep's point [15]")
    p.add_argument("-s", "--size", default="5M", help="sumsq task size [5M]")
    p.add_argument("--counters", default="none", help="the sweep's --counters [none]")
    a = p.parse_args(argv)
    if os.geteuid() != 0 or not os.path.isdir(os.path.join(TRACEFS, "events")):
        print("startup_trace.py: needs root and tracefs at %s (mount -t tracefs nodev %s)"
              % (TRACEFS, TRACEFS), file=sys.stderr)
        return 2
    if a.runs < 1:
        p.error("--runs must be >= 1")
    with tempfile.TemporaryDirectory(prefix="mpbench-st-") as d:
        src, exe = os.path.join(d, "minimal.c"), os.path.join(d, "minimal")
        with open(src, "w") as f:
            f.write(MINIMAL)
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o", exe, src], check=True)
        traced([exe, str(2 * a.runs)], os.path.join(d, "minimal.trace"))
        res = os.path.join(d, "r.json")
        traced([mpbench_bin(), "sweep", "-w", "sumsq", "-s", a.size, "-t", "4", "-j", "1",
                "-m", "fork", "-r", str(a.runs), "--max-runs", str(a.runs), "--counters",
                a.counters, "--no-progress", "-o", res], os.path.join(d, "pool.trace"))
        with open(res) as f:
            doc = json.load(f)
        pids = {w["pid"] for pt in doc["points"] for r in pt["runs"]
                for w in r["workers_detail"]}
        pool = launches(os.path.join(d, "pool.trace"))
        minimal = launches(os.path.join(d, "minimal.trace"))
        print("medians, us; load average %.2f %.2f %.2f" % os.getloadavg())
        print("  %-28s %3s  %8s  %10s  %6s  %11s  %8s  %6s" % (
            "", "n", "clone", "child runs", "faults", "child→READY", "READY", "same"))
        summary("minimal fork + READY, cold", [c for c in minimal.values()
                                               if c["comm"] == "minimal"])
        summary("mpbench fork worker", [c for pid, c in pool.items() if pid in pids])
        fl = doc["machine"].get("floors") or {}
        st = [pt["derived"]["startup_per_worker_ns"] for pt in doc["points"]
              if pt["derived"].get("startup_per_worker_ns")]
        if st and fl.get("fork_exit_wait_ns"):
            print("  the sweep: start-up per worker %.1f us; floors fork+exit+wait %.1f us hot, "
                  "%.1f us cold" % (statistics.median(st) / 1e3, fl["fork_exit_wait_ns"] / 1e3,
                                    (fl.get("fork_exit_wait_cold_ns") or 0) / 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

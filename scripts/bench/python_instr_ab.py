#!/usr/bin/env python3
"""python_instr_ab.py — what `--instrument python` costs a Python command.

Runs the same command without the instrumentation and with it (the
environment mpbench gives it: its sitecustomize.py first on PYTHONPATH,
MPBENCH_PY_DIR naming a record directory, and MPBENCH_PY_COUNTERS, the
counter plan every worker opens, asked of mpbench itself: a one-run sweep
of a script that saves it, with --counters as given [mpbench's default];
--counters none leaves the workers' counters out), interleaved with the order
alternating each round (U I, I U, ...), so that a drift of the machine's load
falls on both sides; prints the median wall time of each side, the overhead
of the medians, the median CPU time (user + system) of the command's whole
process tree and what the instrumentation added to it, and the load average
before and after. On a loaded machine the wall times scatter (and the
command's time is stretched in proportion to the CPU time it needs); the
added CPU time is then the steadier figure: as a share of the
uninstrumented wall it bounds the wall overhead of a quiet machine when all
of it lies on the critical path. With several
--sitecustomize files, each is one more side of every round (to compare two
versions of the instrumentation with the same uninstrumented baseline).

    scripts/bench/python_instr_ab.py [-n ROUNDS] [--sitecustomize FILE]... \\
        -- python3 workloads/python/tiny.py -j 2 -m spawn -t 20000 -c 1 -s 10

The issue's targets: <= 15% on that chunksize-1 map of 20,000 trivial
tasks, <= 5% on workloads/python/seed.py -j 2 -s 5000000 -t 4, for each of
-m fork, spawn and forkserver. The sitecustomize.py directory is the same
for every run (so its bytecode is compiled once, as it is not in mpbench,
which writes a fresh one per run: compiling it costs about 3 ms once per
run, see README.md). The records written each run are removed after it.

Environment: MPBENCH, the binary that supplies the counter plan
[buildrel/harness/mpbench, else build/harness/mpbench].
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
DEFAULT = os.path.join(ROOT, "harness", "external", "pyinstr", "sitecustomize.py")
SAVE_PLAN = """import os, sys
with open(sys.argv[1], "w") as f:
    f.write(os.environ.get("MPBENCH_PY_COUNTERS", ""))
"""


def mpbench_bin():
    return benchlib.mpbench_bin("python_instr_ab.py", " (or give --counters none)")


def counter_plan(counters, root):
    """MPBENCH_PY_COUNTERS as mpbench passes it to a command's Python
    processes under --counters `counters` ("" when it passes none)."""
    if counters == "none":
        return ""
    script, plan = os.path.join(root, "save_plan.py"), os.path.join(root, "plan")
    with open(script, "w") as f:
        f.write(SAVE_PLAN)
    cmd = [mpbench_bin(), "sweep", "--cmd", "%s %s %s" % (sys.executable, script, plan),
           "--instrument", "python", "-m", "fork", "-j", "1", "-r", "1", "--max-runs", "1",
           "--no-ceiling", "--no-progress", "-o", os.path.join(root, "plan.json")]
    if counters != "default":
        cmd += ["--counters", counters]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(plan) as f:
        return f.read()


def side(src, root, k):
    """A directory holding `src` as sitecustomize.py and a record directory."""
    d = os.path.join(root, "i%d" % k)
    os.makedirs(os.path.join(d, "records"))
    shutil.copy(src, os.path.join(d, "sitecustomize.py"))
    return d


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-n", "--rounds", type=int, default=6, help="runs of each side [6]")
    p.add_argument("--counters", default="default",
                   help="the workers' counters, as mpbench's --counters [default]; none: off")
    p.add_argument("--sitecustomize", action="append", default=[],
                   help="instrumentation to measure (repeatable) [the repository's]")
    p.add_argument("cmd", nargs=argparse.REMAINDER, help="the command, after --")
    a = p.parse_args(argv)
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd or a.rounds < 1:
        p.error("a command after -- and --rounds >= 1 are required")
    srcs = a.sitecustomize or [DEFAULT]
    root = tempfile.mkdtemp(prefix="mpbench-ab-")
    try:
        base = {k: v for k, v in os.environ.items()
                if k not in ("MPBENCH_PY_DIR", "MPBENCH_PY_COUNTERS")}
        plan = counter_plan(a.counters, root)
        sides = [("uninstrumented", base, None)]
        for k, src in enumerate(srcs):
            d = side(src, root, k)
            pp = d + (":" + base["PYTHONPATH"] if base.get("PYTHONPATH") else "")
            env = dict(base, PYTHONPATH=pp, MPBENCH_PY_DIR=os.path.join(d, "records"))
            if plan:
                env["MPBENCH_PY_COUNTERS"] = plan
            sides.append((src if len(srcs) > 1 else "instrumented", env, env["MPBENCH_PY_DIR"]))
        walls = [[] for _ in sides]
        cpus = [[] for _ in sides]
        load0 = os.getloadavg()
        for r in range(a.rounds):
            order = list(range(len(sides)))
            if r % 2:
                order.reverse()
            for i in order:
                _, env, rec = sides[i]
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.monotonic_ns()
                subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
                walls[i].append((time.monotonic_ns() - t) / 1e6)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[i].append(1e3 * (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime))
                for f in os.listdir(rec) if rec else ():
                    os.unlink(os.path.join(rec, f))
        load1 = os.getloadavg()
    finally:
        shutil.rmtree(root)
    mu = statistics.median(walls[0])
    cu = statistics.median(cpus[0])
    print(" ".join(cmd))
    print("  workers' counters: %s" % (plan.split(";", 2)[1] + " events" if plan else "none"))
    for (name, _, _), w, c in zip(sides, walls, cpus):
        m, mc = statistics.median(w), statistics.median(c)
        print("  %s\n    wall median %9.1f ms (min %.1f, max %.1f, %d runs)  overhead %+.1f%%\n"
              "    cpu  median %9.1f ms  added %+.1f ms = %+.1f%% of the cpu, %+.1f%% of the wall"
              % (name, m, min(w), max(w), len(w), 100 * (m - mu) / mu, mc, mc - cu,
                 100 * (mc - cu) / cu, 100 * (mc - cu) / mu))
    print("  load average %.2f %.2f %.2f before, %.2f %.2f %.2f after" % (load0 + load1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

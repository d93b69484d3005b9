#!/usr/bin/env python3
"""tiny.py — a map of tiny tasks: what chunksize costs and saves in CPython.

Each task is almost free (a few additions), so the time of
pool.map(tiny_task, range(tasks), chunksize) is the pool's own per-message
cost: pickling arguments and results, the pipes, the result handler thread.
Sweep -c to see it fall as chunks grow, and rise again when chunks are so
large that some workers sit idle:

    mpbench sweep --cmd 'python3 workloads/python/tiny.py -j {workers} \
        -m {method} -t {tasks} -c {chunksize} -s {size}' \
        -s 10 -t 20000 -j 2 -c 1,10,100,1000,python

-j 1 runs the tasks sequentially in the process (the baseline). Every result
is checked. Phases go to mpbench through MPBENCH_FD: startup_ns, map_ns,
teardown_ns (or compute_ns and map_ns sequentially); with --pickle-estimate
also serialize_ns, the time to pickle the task chunks as Pool.map would send
them, measured before the pool starts (it adds that time to the run).
"""
import argparse
import multiprocessing
import multiprocessing.pool
import pickle
import sys

from mpbench_report import now_ns, report


def tiny_task(x: int, work: int = 10) -> int:
    acc = x
    for i in range(work):
        acc += i
    return acc


def expected(x: int, work: int) -> int:
    return x + work * (work - 1) // 2


class Task:
    """tiny_task with the work per task bound (picklable, unlike a lambda)."""

    def __init__(self, work):
        self.work = work

    def __call__(self, x):
        return tiny_task(x, self.work)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-j", "--workers", type=int, default=2)
    p.add_argument("-m", "--method", default="fork")
    p.add_argument("-t", "--tasks", type=int, default=20000)
    p.add_argument("-c", "--chunksize", type=int, default=None)
    p.add_argument("-s", "--size", type=int, default=10, help="additions per task")
    p.add_argument("--pickle-estimate", action="store_true")
    a = p.parse_args(argv)
    if a.workers < 1 or a.tasks < 1 or a.size < 0 or (a.chunksize is not None and a.chunksize < 1):
        p.error("workers >= 1, tasks >= 1, size >= 0 and chunksize >= 1 are required")
    task = Task(a.size)
    items = range(a.tasks)
    extra = {}
    if a.pickle_estimate and a.workers > 1:
        cs = a.chunksize or max(1, -(-a.tasks // (4 * a.workers)))
        t0 = now_ns()
        for lo in range(0, a.tasks, cs):
            pickle.dumps((task, tuple(range(lo, min(lo + cs, a.tasks)))))
        extra["serialize_ns"] = now_ns() - t0
    if a.workers == 1:
        t0 = now_ns()
        results = [task(x) for x in items]
        t1 = now_ns()
        report(map_ns=t1 - t0, compute_ns=t1 - t0, mode="sequential", **extra)
    else:
        try:
            t0 = now_ns()
            if a.method == "thread":
                pool = multiprocessing.pool.ThreadPool(a.workers)
            else:
                pool = multiprocessing.get_context(a.method).Pool(a.workers)
        except ValueError as e:
            print(f"tiny.py: {e}", file=sys.stderr)
            return 2
        with pool:
            t1 = now_ns()
            results = pool.map(task, items, a.chunksize)
            t2 = now_ns()
        t3 = now_ns()
        report(startup_ns=t1 - t0, map_ns=t2 - t1, teardown_ns=t3 - t2, mode=a.method,
               chunksize=a.chunksize, **extra)
    for x, r in zip(items, results):
        if r != expected(x, a.size):
            print(f"tiny.py: wrong result for task {x}: {r}", file=sys.stderr)
            return 1
    if len(results) != a.tasks:
        print(f"tiny.py: {len(results)} results for {a.tasks} tasks", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

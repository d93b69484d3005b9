#!/usr/bin/env python3
"""seed.py — the seed's "Sequential vs Pool" comparison, driven by mpbench.

The seed computes heavy_computation (the sum of i*i for i < n) over
[5_000_000, 5_000_001, 5_000_002, 5_000_003] first sequentially, then with
multiprocessing.Pool().map. This script does one of the two per run, so that
mpbench times each from outside and sweeps workers and start methods:

    seed.py -j 1                  sequential (the seed's first half)
    seed.py -j 4 -m spawn         Pool(4) under get_context("spawn")
    seed.py -j 4 -m thread        multiprocessing.pool.ThreadPool(4): the GIL

Tasks are size + k for k < tasks (-s, -t; the seed: 5000000 and 4). Every
result is checked against the closed form; a wrong one exits with status 1.
Phases go to mpbench through MPBENCH_FD (mpbench_report.py):
startup_ns (Pool() constructed: workers started, not necessarily ready —
spawn workers may still be importing), map_ns (pool.map), teardown_ns
(leaving the `with` block: terminate and join, as in the seed), or compute_ns
and map_ns for the sequential run. On stdout it prints the seed's lines.

The reproduction in one command (baseline: the same command at -j 1):
    mpbench sweep --cmd 'python3 workloads/python/seed.py -j {workers} -m {method} \
        -s {size} -t {tasks}' -m fork,spawn,forkserver -j 2 -s 5M -t 4
"""
import argparse
import multiprocessing
import multiprocessing.pool
import sys

from mpbench_report import now_ns, report


def heavy_computation(n: int) -> int:
    """A CPU-bound task (the seed's, unchanged)."""
    return sum(i * i for i in range(n))


def closed_form(n: int) -> int:
    return (n - 1) * n * (2 * n - 1) // 6 if n > 0 else 0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-j", "--workers", type=int, default=0,
                   help="pool size; 1 = sequential; 0 = Pool() default (cpu_count)")
    p.add_argument("-m", "--method", default="fork",
                   help="fork, spawn, forkserver or thread (ThreadPool)")
    p.add_argument("-s", "--size", type=int, default=5_000_000, help="the first n")
    p.add_argument("-t", "--tasks", type=int, default=4, help="how many numbers")
    p.add_argument("-c", "--chunksize", type=int, default=None,
                   help="Pool.map chunksize (default: Pool.map's own rule)")
    p.add_argument("--sequential", action="store_true", help="sequential at any -j")
    a = p.parse_args(argv)
    if a.workers < 0 or a.tasks < 1 or a.size < 0 or (a.chunksize is not None and a.chunksize < 1):
        p.error("workers >= 0, tasks >= 1, size >= 0 and chunksize >= 1 are required")
    return a


def make_pool(method, workers):
    if method == "thread":
        return multiprocessing.pool.ThreadPool(workers or None)
    return multiprocessing.get_context(method).Pool(workers or None)


def main(argv):
    a = parse_args(argv)
    numbers = [a.size + k for k in range(a.tasks)]
    if a.workers == 1 or a.sequential:
        t0 = now_ns()
        results = [heavy_computation(n) for n in numbers]
        t1 = now_ns()
        report(map_ns=t1 - t0, compute_ns=t1 - t0, workers=1, mode="sequential")
        print(f"Sequential: {(t1 - t0) / 1e9:.4f}s")
    else:
        try:
            t0 = now_ns()
            pool = make_pool(a.method, a.workers)
        except ValueError as e:  # an unknown start method
            print(f"seed.py: {e}", file=sys.stderr)
            return 2
        with pool:
            t1 = now_ns()
            results = pool.map(heavy_computation, numbers, a.chunksize)
            t2 = now_ns()
        t3 = now_ns()
        report(startup_ns=t1 - t0, map_ns=t2 - t1, teardown_ns=t3 - t2,
               workers=pool._processes, mode=a.method)
        print(f"Parallel (Pool): {(t3 - t0) / 1e9:.4f}s")
    for n, r in zip(numbers, results):
        if r != closed_form(n):
            print(f"seed.py: wrong result for n={n}: {r}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""payload.py — what pickling costs a CPython pool as arguments grow.

Each of -t tasks gets an argument of -s bytes (a bytes object, or with
--list a list of small ints of about that pickled size) and returns a
checksum; the work is trivial, so the time of pool.map is the pool's cost of
moving the arguments: pickling in the parent, the pipe, unpickling in a
worker. The same shape as mpbench's native `payload` workload, so that a
report puts the CPython pool's pickle next to the native json and raw codecs:

    mpbench sweep --cmd 'python3 workloads/python/payload.py -j {workers} -m {method} \
        -s {size} -t {tasks}' --instrument python -s 1k,64k,1M,16M -t 16 -j 2 \
        -o py.json && mpbench sweep -w payload --codec raw,json -s 1k,64k,1M,16M \
        -t 16 -j 2 -o native.json && mpbench report py.json native.json -o report/

The script knows nothing of mpbench: `--instrument python` measures its pool
from inside (phases, pickling time and bytes, per-worker figures). -j 1 maps
sequentially in the process (the serial baseline). Every result is checked.
"""
import argparse
import multiprocessing
import sys


def checksum(arg) -> int:
    """Trivial work over the argument: its length and two of its items."""
    return len(arg) + arg[0] + arg[-1]


def make_args(size: int, tasks: int, as_list: bool):
    if as_list:
        # a small int pickles to 2 bytes (BININT1) in a list
        return [[k % 256] * max(1, size // 2) for k in range(tasks)]
    return [bytes([k % 256]) * max(1, size) for k in range(tasks)]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-j", "--workers", type=int, default=2, help="pool size; 1 = sequential")
    p.add_argument("-m", "--method", default="fork", help="fork, spawn or forkserver")
    p.add_argument("-s", "--size", type=int, default=65536, help="bytes per argument")
    p.add_argument("-t", "--tasks", type=int, default=16, help="arguments mapped")
    p.add_argument("-c", "--chunksize", type=int, default=None, help="Pool.map chunksize")
    p.add_argument("--list", action="store_true", help="lists of ints instead of bytes")
    a = p.parse_args(argv)
    if a.workers < 1 or a.tasks < 1 or a.size < 1:
        p.error("workers, tasks and size must be at least 1")
    args = make_args(a.size, a.tasks, a.list)
    if a.workers == 1:
        results = [checksum(x) for x in args]
    else:
        with multiprocessing.get_context(a.method).Pool(a.workers) as pool:
            results = pool.map(checksum, args, a.chunksize)
    if results != [checksum(x) for x in args]:
        print("payload.py: wrong results", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

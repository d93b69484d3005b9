"""mpbench_report.py — report phase timings to mpbench through MPBENCH_FD.

mpbench runs a `--cmd` program with the number of a writable descriptor in
the environment variable MPBENCH_FD and reads one JSON object per line from
it (see results/README.md, "The cmd workload"). Outside mpbench the variable
is unset and report() does nothing, so the scripts run on their own too.
"""
import json
import os
import time


def now_ns():
    """CLOCK_MONOTONIC in ns: the clock mpbench itself uses."""
    return time.monotonic_ns()


def report(**fields):
    """Write one line {field: value, ...} to MPBENCH_FD, if mpbench gave one."""
    fd = os.environ.get("MPBENCH_FD")
    if not fd:
        return
    line = (json.dumps(fields, separators=(",", ":")) + "\n").encode()
    # one write per line: a line is never interleaved with another process's
    os.write(int(fd), line)

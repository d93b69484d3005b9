#!/usr/bin/env python3
"""test_workloads.py — integration tests of the workloads that show the other
shapes of scaling (stream, imbalance, sleep), run through the built binary
($MPBENCH): their line in `mpbench list`, small sweeps that verify every
result (a wrong one would fail the point), invariants of their runs, and
sizes out of range refused with exit status 2. No timing assertions.

Standard library only; every invocation runs in a fresh temporary directory.
"""

import json
import os
import shutil
import sys
import tempfile
import unittest

import mpbtest
from mpbtest import MPBENCH
RUN_TIMEOUT_S = 300  # hang detection only
QUICK = ["-r", "1", "--max-runs", "1", "--warmup", "0", "--no-progress", "-o", "r.json"]


def mpbench(args, cwd):
    return mpbtest.mpbench(args, cwd, RUN_TIMEOUT_S)


class WorkloadsTestCase(unittest.TestCase):
    def setUp(self):
        if not MPBENCH or not os.access(MPBENCH, os.X_OK):
            self.skipTest("MPBENCH does not name the built binary")
        self.dir = tempfile.mkdtemp(prefix="mpb-wl-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def sweep(self, args):
        r = mpbench(["sweep"] + args + QUICK, self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.dir, "r.json")) as f:
            doc = json.load(f)
        self.assertEqual(doc["status"], "complete")
        for p in doc["points"]:
            self.assertIsNone(p["error"])
            self.assertIsNotNone(p["derived"]["speedup"])
            for run in p["runs"]:
                self.assertEqual(sum(w["tasks"] for w in run["workers_detail"]), p["tasks"])
        for b in doc["baselines"] + doc["ceilings"]:
            self.assertIsNone(b["error"])
        return doc

    def test_list(self):
        r = mpbench(["list"], self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = {l.split()[0]: l for l in r.stdout.splitlines() if l.startswith("  ")}
        self.assertIn("[size: bytes, default -s 32MiB -t 8]", lines["stream"])
        self.assertIn("[size: iterations, default -s 1M -t 200]", lines["imbalance"])
        self.assertIn("[size: us, default -s 1ms -t 100]", lines["sleep"])
        self.assertIn("cmd", lines)

    def test_stream(self):
        doc = self.sweep(["-w", "stream", "-s", "256KiB", "-t", "4", "-j", "1,2",
                          "-m", "fork,thread"])
        self.assertEqual({p["size"] for p in doc["points"]}, {256 * 1024})
        self.assertEqual(len(doc["ceilings"]), 2)

    def test_imbalance(self):
        doc = self.sweep(["-w", "imbalance", "-s", "20k", "-t", "40", "-j", "2",
                          "-c", "1,python", "-m", "fork,spawn"])
        self.assertEqual(sorted(p["chunksize"] for p in doc["points"]), [1, 1, 5, 5])

    def test_sleep(self):
        doc = self.sweep(["-w", "sleep", "-s", "2ms", "-t", "20", "-j", "1,4"])
        for p in doc["points"]:
            # a sleep never returns early: every task spent at least its 2 ms
            # inside the run function, on whichever worker
            for run in p["runs"]:
                self.assertGreaterEqual(run["compute_ns"], 20 * 2_000_000)

    def test_sizes_out_of_range(self):
        for args, needle in ((["-w", "stream", "-s", "8"], "-s/--sizes"),
                             (["-w", "sleep", "-s", "2h"], "-s/--sizes"),
                             (["-w", "imbalance", "-s", "0"], "-s/--sizes")):
            r = mpbench(["sweep"] + args + QUICK, self.dir)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(needle, r.stderr)
            self.assertEqual(os.listdir(self.dir), [])


if __name__ == "__main__":
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[1:], exit=False, verbosity=2)
    sys.exit(0 if prog.result.wasSuccessful() else 1)

#!/usr/bin/env python3
"""test_transport.py — integration tests of codecs, transports, the payload
workload, chunk strategies and the overhead split, run against the built
binary (path in $MPBENCH; spawn workers from $MPBENCH_WORKER).

A small sweep crosses pipe/shm x raw/json x fixed/auto chunks over payload
tasks and checks every point succeeded with its results verified by the
harness, the overhead split sums exactly to its windows, bytes each way cover
the payloads, and the chunk sizes recorded add up. Then shm under every start
method with multi-megabyte payloads, the listings, and bad input (exit 2, one
error line naming the value and what is accepted, no results file).

Standard library only; each run in a fresh temporary directory.
"""

import json
import os
import sys
import tempfile
import unittest

import mpbtest
from mpbtest import MPBENCH
RUN_TIMEOUT_S = 300  # hang detection only

QUICK = ["-r", "1", "--max-runs", "1", "--warmup", "0", "--no-ceiling", "--counters", "none",
         "--no-progress", "-q"]


def mpbench(args, cwd):
    return mpbtest.mpbench(args, cwd, RUN_TIMEOUT_S)


class TransportTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def sweep(self, *args):
        out = os.path.join(self.dir, "r.json")
        p = mpbench(["sweep", *args, *QUICK, "-o", out], self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            return json.load(f)

    def check_split(self, run, what):
        o = run["overhead"]
        par, wk = o["parent"], o["workers"]
        self.assertTrue(o["consistent"], what)
        self.assertEqual(par["map_ns"], run["map_ns"], what)
        self.assertEqual(par["codec_ns"] + par["transport_ns"] + par["wait_ns"] + par["other_ns"],
                         par["map_ns"], what)
        self.assertEqual(wk["compute_ns"] + wk["codec_ns"] + wk["wait_ns"] + wk["send_ns"]
                         + wk["other_ns"], wk["serve_ns"], what)
        self.assertEqual(wk["compute_ns"], run["compute_ns"], what)
        self.assertEqual(par["codec_ns"], run["codec_ns"]["parent"], what)
        self.assertEqual(o["bytes_sent"], run["bytes_sent"], what)
        self.assertEqual(o["bytes_received"], run["bytes_received"], what)

    def test_grid(self):
        size, tasks, rsize = 300 * 1024, 12, 1024
        d = self.sweep("-w", "payload", "-s", "64,300KiB", "-t", str(tasks), "-j", "2",
                       "--transport", "pipe,shm", "--codec", "raw,json", "-c", "1,auto",
                       "--result-size", "1KiB")
        self.assertEqual(d["config"]["result_size"], rsize)
        self.assertEqual(sorted(d["config"]["transports"]), ["pipe", "shm"])
        pts = d["points"]
        self.assertEqual(len(pts), 2 * 2 * 2 * 2)
        seen = set()
        for pt in pts:
            what = "%s/%s/%s/%s" % (pt["size"], pt["transport"], pt["codec"], pt["chunk_strategy"])
            self.assertIsNone(pt["error"], what)
            seen.add((pt["transport"], pt["codec"], pt["chunk_strategy"]))
            run = pt["runs"][0]
            self.check_split(run, what)
            # the payload crossed both ways: raw carries it byte for byte,
            # json as base64 (4/3 as many)
            self.assertGreaterEqual(run["bytes_sent"], pt["size"] * tasks, what)
            self.assertGreaterEqual(run["bytes_received"], rsize * tasks, what)
            ch = run["chunks"]
            self.assertGreaterEqual(ch["min"], 1, what)
            self.assertAlmostEqual(ch["mean"] * ch["count"], tasks, delta=1e-6, msg=what)
            if pt["chunk_strategy"] == "fixed":
                self.assertEqual(ch["count"], tasks, what)
                self.assertEqual(ch["max"], 1, what)
            else:
                self.assertEqual(pt["chunksize"], 1, what)
                self.assertEqual(ch["first"][0], 1, what)
            split = pt["derived"]["overhead_split_per_task_ns"]
            self.assertGreater(split["compute_ns"], 0, what)
        self.assertEqual(len(seen), 8)

    def test_shm_every_method_large_payloads(self):
        env_ok = bool(os.environ.get("MPBENCH_WORKER"))
        methods = "fork,spawn,forkserver,thread" if env_ok else "fork,forkserver,thread"
        d = self.sweep("-w", "payload", "-s", "3MiB", "-t", "4", "-j", "2", "-m", methods,
                       "--transport", "shm", "-c", "1", "--result-size", "2MiB")
        self.assertEqual(len(d["points"]), len(methods.split(",")))
        for pt in d["points"]:
            self.assertIsNone(pt["error"], pt["method"])
            self.check_split(pt["runs"][0], pt["method"])

    def test_null_auto_grows(self):
        d = self.sweep("-w", "null", "-t", "20000", "-j", "2", "--transport", "shm", "-c", "auto")
        ch = d["points"][0]["runs"][0]["chunks"]
        # trivial tasks: auto grows far past 1, and shrinks back at the end
        self.assertGreater(ch["max"], 64)
        self.assertLess(ch["count"], 20000 // 8)

    def test_list(self):
        p = mpbench(["list"], self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        for word in ("shm", "json", "payload", "auto"):
            self.assertIn(word, p.stdout)

    def test_bad_input(self):
        cases = [
            (["--transport", "carrier-pigeon"], ["carrier-pigeon", "pipe, shm"]),
            (["--codec", "pickle"], ["pickle", "json"]),
            (["-c", "fast"], ["fast", "auto"]),
            (["-w", "payload", "--result-size", "1TiB"], ["--result-size"]),
            (["-w", "payload", "--result-size", "lots"], ["--result-size", "lots"]),
            (["-w", "payload", "-s", "1GiB"], ["-s/--sizes"]),
        ]
        for args, words in cases:
            out = os.path.join(self.dir, "bad.json")
            p = mpbench(["sweep", *args, *QUICK, "-o", out], self.dir)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            lines = p.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, (args, p.stderr))
            self.assertTrue(lines[0].startswith("mpbench: error:"), lines[0])
            for w in words:
                self.assertIn(w, lines[0], args)
            self.assertFalse(os.path.exists(out), args)


if __name__ == "__main__":
    if not MPBENCH:
        sys.exit("MPBENCH is not set: run through `meson test`")
    unittest.main(verbosity=2)

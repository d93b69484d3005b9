#!/usr/bin/env python3
"""test_compare.py — integration tests of `mpbench compare FILE --along
AXIS=BASE[,NEW...]` on a small results file the built binary writes in the
test (a real sweep: fork and thread, 1 and 2 workers): every point at the
NEW value is matched with the same point at BASE (thread points differ in
their codec too, and are matched all the same), each row carries speedup and
context switches of both sides, a geometric-mean line closes the table, the
JSON carries the same and each file's warnings, and bad --along values exit
2 with nothing on stdout. The verdicts themselves are not asserted (they
depend on this machine's timing); their consistency with the figures is.
"""

import json
import math
import os
import shutil
import sys
import tempfile
import unittest

import mpbtest
from mpbtest import MPBENCH

RUN_TIMEOUT_S = 300  # hang detection only


class CompareAlong(unittest.TestCase):
    tmp = None
    results = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mpb-compare-")
        cls.results = os.path.join(cls.tmp, "r.json")
        p = mpbench(["sweep", "-w", "null", "-t", "40", "-j", "1,2", "-m", "fork,thread",
                     "-r", "3", "--max-runs", "3", "--no-ceiling", "--no-progress",
                     "-o", cls.results], cls.tmp)
        if p.returncode != 0:
            raise AssertionError("sweep failed (%d): %s" % (p.returncode, p.stderr))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def compare(self, *args):
        return mpbench(["compare", self.results] + list(args), self.tmp)

    def test_along_json(self):
        p = self.compare("--along", "method=fork,thread", "--format", "json")
        self.assertIn(p.returncode, (0, 3), p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["along"], {"axis": "method", "base": "fork", "new": ["thread"]})
        res = mpbtest.load_results(self.results)
        by_key = {}
        for pt in res["points"]:
            by_key[(pt["method"], pt["workers"])] = pt
        pts = doc["points"]
        self.assertEqual(len(pts), 2)
        self.assertEqual(sorted(r["workers"] for r in pts), [1, 2])
        self.assertEqual(doc["only_in_base"], 0)
        self.assertEqual(doc["only_in_new"], 0)
        for r in pts:
            self.assertEqual(r["method"], "thread")
            base, new = by_key[("fork", r["workers"])], by_key[("thread", r["workers"])]
            # the medians are the files' own, base from fork, new from thread
            self.assertEqual(r["base_median_ns"], base["summary"]["wall_ns"]["median"])
            self.assertEqual(r["new_median_ns"], new["summary"]["wall_ns"]["median"])
            self.assertAlmostEqual(r["ratio"], r["new_median_ns"] / r["base_median_ns"])
            self.assertAlmostEqual(r["base_speedup"], base["derived"]["speedup"])
            self.assertAlmostEqual(r["new_speedup"], new["derived"]["speedup"])
            self.assertAlmostEqual(r["speedup_ratio"], r["new_speedup"] / r["base_speedup"])
            self.assertIn(r["context_switches_source"], ("perf", "rusage"))
            if r["context_switches_source"] == "perf":
                self.assertAlmostEqual(r["base_context_switches_per_task"],
                                       base["derived"]["context_switches_per_task"])
            else:
                d = base["derived"]
                self.assertAlmostEqual(r["base_context_switches_per_task"],
                                       d["voluntary_context_switches_per_task"] +
                                       d["involuntary_context_switches_per_task"])
            if r["verdict"] == "regressed":
                self.assertGreater(r["ratio_ci95"][0], 1)
        g = doc["geomean"]
        self.assertEqual(g["wall_points"], 2)
        want = math.exp(sum(math.log(r["ratio"]) for r in pts) / 2)
        self.assertAlmostEqual(g["wall_ratio"], want)
        self.assertEqual(doc["regressed"], p.returncode == 3)
        # each side carries its warnings (here both are the one file)
        for side in ("base", "new"):
            self.assertIsInstance(doc[side]["warnings"], list)
            for w in doc[side]["warnings"]:
                self.assertNotEqual(w["scope"], "recommendation")
                self.assertTrue(w["message"])

    def test_along_markdown(self):
        p = self.compare("--along", "method=fork")
        self.assertIn(p.returncode, (0, 3), p.stderr)
        md = p.stdout
        self.assertIn("- along method: base fork, new thread", md)
        self.assertIn("| speedup (base → new) | ctx sw/task (base → new) |", md)
        self.assertIn("Geometric mean of new/base: wall time x", md)
        # the codec a thread point implies is shown per row, not said to be common
        self.assertIn("| raw → none |", md)
        self.assertNotIn("codec none", md)
        # the exit status is the regression contract, along an axis too
        if p.returncode == 3:
            self.assertIn("regressed beyond 10%", p.stderr)
        else:
            self.assertIn("0 regressed", md)

    def test_along_other_axis_and_two_files(self):
        p = self.compare("--along", "workers=1,2", "--format", "json")
        self.assertIn(p.returncode, (0, 3), p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(sorted(r["method"] for r in doc["points"]), ["fork", "thread"])
        self.assertTrue(all(r["workers"] == 2 for r in doc["points"]))
        # two files: as before, plus the new columns and warnings
        p = mpbench(["compare", self.results, self.results, "--format", "json"], self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertIsNone(doc["along"])
        self.assertEqual(len(doc["points"]), 4)
        self.assertEqual(doc["geomean"]["wall_ratio"], 1.0)

    def test_bad_along(self):
        cases = [
            (["--along", "metod=fork"], "--along: 'metod=fork' is not accepted"),
            (["--along", "method=spawn"], "no point has method 'spawn' (accepted: a value of "
                                          "method in the file: fork,thread)"),
            (["--along", "transport=pipe"], "leaves nothing to compare"),
            (["--along", "method=fork,fork"], "--along"),
        ]
        for args, msg in cases:
            p = self.compare(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(msg, p.stderr)
            self.assertEqual(p.stdout, "", args)
        p = mpbench(["compare", self.results, self.results, "--along", "method=fork"], self.tmp)
        self.assertEqual(p.returncode, 2)
        self.assertIn("give exactly one", p.stderr)
        p = mpbench(["compare", self.results], self.tmp)
        self.assertEqual(p.returncode, 2)
        self.assertIn("or one with --along", p.stderr)

    def test_help_documents_along(self):
        p = mpbench(["help", "compare"], self.tmp)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--along AXIS=BASE[,NEW]", p.stdout)


def mpbench(args, cwd):
    return mpbtest.mpbench(args, cwd, RUN_TIMEOUT_S)


def main():
    if not MPBENCH or not os.access(MPBENCH, os.X_OK):
        print("test_compare: MPBENCH must name the built mpbench binary (got %r)" % MPBENCH)
        print("test_compare: FAILED")
        return 1
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[1:], exit=False, verbosity=2)
    res = prog.result
    ok = res.wasSuccessful() and res.testsRun > 0
    print("test_compare: %s (%d tests, %d failures, %d errors)"
          % ("OK" if ok else "FAILED", res.testsRun, len(res.failures), len(res.errors)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

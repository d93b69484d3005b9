#!/usr/bin/env python3
"""test_inputs.py — inputs that used to hang or mislead, refused or taken as
they should be: a repeated axis value (exit 2, no file), a --config FIFO
with no writer (exit 2 at once, no hang), and RLIMIT_NPROC, which binds
every user but root (harness/plan/plan.c): as root a worker count above it
runs, as another user it is refused before anything starts.
"""

import os
import resource
import subprocess
import tempfile
import unittest

import mpbtest
from mpbtest import load_results

TIMEOUT = 120


class Inputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mpbtest.become_subreaper()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mpbench-in-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.tmp])

    def tearDown(self):
        left = mpbtest.our_children()
        mpbtest.kill_and_reap(left)
        self.assertEqual(left, [], "processes left running")

    def test_repeated_axis_values_refused(self):
        for args, what in ((["-j", "1,2,1"], "-j/--workers"), (["-s", "1k,1000"], "-s/--sizes"),
                           (["-m", "fork,thread,fork"], "-m/--methods")):
            p = mpbtest.mpbench(["sweep", "-w", "null", "-t", "2", "-o", "r.json"] + args,
                                self.tmp, TIMEOUT)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(what, p.stderr)
            self.assertIn("accepted: each value once", p.stderr)
            self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
            self.assertEqual(os.listdir(self.tmp), [], "something was written")

    def test_config_fifo_without_writer_does_not_hang(self):
        fifo = os.path.join(self.tmp, "cfg")
        os.mkfifo(fifo)
        # the bound is hang detection: a blocked open never returns
        p = mpbtest.mpbench(["run", "--config", fifo, "-w", "null", "-t", "2", "-j", "1"],
                            self.tmp, 60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("cfg", p.stderr)

    def test_process_limit_binds_all_but_root(self):
        def limit():
            resource.setrlimit(resource.RLIMIT_NPROC, (4, 4))
        out = os.path.join(self.tmp, "r.json")
        p = mpbtest.mpbench(["run", "-w", "null", "-t", "8", "-j", "8", "-r", "1",
                             "--max-runs", "1", "--warmup", "0", "--no-ceiling", "--quiet",
                             "-o", out], self.tmp, TIMEOUT, preexec_fn=limit)
        if os.getuid() == 0:
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(load_results(out)["points"][0]["workers"], 8)
        else:
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main(verbosity=2)

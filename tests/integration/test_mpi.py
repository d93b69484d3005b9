#!/usr/bin/env python3
"""test_mpi.py — integration tests of the mpi start method against the built
binary (path in $MPBENCH): whether this build has it, and when it does, a
sweep of MPI ranks started by mpirun (1 to 4 workers, and a hostfile naming
only this host) whose every point succeeds with the figures a point records,
with nothing left running; bad input exits 2 with one line; the ceiling over
bare MPI ranks that mpi points are judged against, and the MPI floors in a
sweep's machine.floors and in `mpbench info` (which says "not built" in a
build without MPI).

In a build without MPI (meson -Dmpi=disabled) it checks what the user sees
instead: `mpbench list` says the method is not built and -m mpi is refused.

Running as root, Open MPI's mpirun needs OMPI_ALLOW_RUN_AS_ROOT=1 and
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1: set here. Standard library only; each run
in a fresh temporary directory; no timing is asserted.
"""

import json
import os
import socket
import tempfile
import unittest

import mpbtest
RUN_TIMEOUT_S = 600  # hang detection only

QUICK = ["-r", "1", "--max-runs", "1", "--warmup", "0", "--no-ceiling", "--counters", "default",
         "--no-progress", "-q"]
os.environ["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
os.environ["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"


def mpbench(args, cwd, env=None):
    return mpbtest.mpbench(args, cwd, RUN_TIMEOUT_S, env=env)


def built():
    with tempfile.TemporaryDirectory() as d:
        p = mpbench(["list"], d)
    for line in p.stdout.splitlines():
        words = line.split()
        if words and words[0] == "mpi":
            return "not built" not in line
    raise AssertionError("mpbench list does not mention mpi:\n" + p.stdout)


BUILT = built()


class MpiTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        mpbtest.become_subreaper()

    def tearDown(self):
        left = mpbtest.our_children()
        mpbtest.kill_and_reap(left)
        self.tmp.cleanup()
        self.assertEqual(left, [], "processes left running")

    def sweep(self, *args):
        out = os.path.join(self.dir, "r.json")
        p = mpbench(["sweep", *args, *QUICK, "-o", out], self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            return json.load(f)

    def check_points(self, d, workers):
        self.assertEqual(sorted(pt["workers"] for pt in d["points"]), sorted(workers))
        for pt in d["points"]:
            what = "%s x%d" % (pt["method"], pt["workers"])
            self.assertEqual(pt["method"], "mpi")
            self.assertIsNone(pt["error"], what)
            run = pt["runs"][0]
            self.assertGreater(run["startup_ns"], 0, what)
            self.assertGreater(run["teardown_ns"], 0, what)
            ws = run["workers_detail"]
            self.assertEqual(len(ws), pt["workers"], what)
            self.assertEqual(sum(w["tasks"] for w in ws), pt["tasks"], what)
            pids = set()
            for w in ws:
                # what each rank measured and counted on itself
                self.assertGreater(w["startup_ns"], 0, what)
                self.assertGreater(w["compute_ns"], 0, what)
                self.assertGreater(w["maxrss_bytes"], 0, what)
                self.assertGreater(w["rss_bytes"], 0, what)
                self.assertGreater(w["counters"]["task_clock_ns"], 0, what)
                pids.add(w["pid"])
            self.assertEqual(len(pids), pt["workers"], what)
            for pid in pids:
                self.assertFalse(mpbtest.alive(pid), "rank %d still runs" % pid)

    @unittest.skipUnless(BUILT, "this build has no MPI")
    def test_sweep_one_to_four_ranks(self):
        d = self.sweep("-m", "mpi", "-w", "sumsq", "-s", "100k", "-t", "16", "-j", "1,2,3,4")
        self.check_points(d, [1, 2, 3, 4])

    @unittest.skipUnless(BUILT, "this build has no MPI")
    def test_hostfile_naming_this_host(self):
        hf = os.path.join(self.dir, "hosts")
        with open(hf, "w") as f:
            f.write("%s slots=4\n" % socket.gethostname())
        d = self.sweep("-m", "mpi", "-w", "sumsq", "-s", "100k", "-t", "8", "-j", "2",
                       "--mpi-hostfile", hf, "--mpi-args", "--mca btl self,vader,tcp")
        self.check_points(d, [2])
        self.assertEqual(d["points"][0]["transport"], "pipe")

    @unittest.skipUnless(BUILT, "this build has no MPI")
    def test_bad_hostfile_exits_2(self):
        p = mpbench(["sweep", "-m", "mpi", "--mpi-hostfile", "/nonexistent/hosts", *QUICK],
                    self.dir)
        self.assertEqual(p.returncode, 2, p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn("/nonexistent/hosts", lines[0])
        self.assertEqual(os.listdir(self.dir), [])

    @unittest.skipUnless(BUILT, "this build has no MPI")
    def test_root_without_openmpi_consent_exits_2(self):
        if os.geteuid() != 0:
            self.skipTest("only root needs Open MPI's consent")
        env = dict(os.environ)
        del env["OMPI_ALLOW_RUN_AS_ROOT"]
        p = mpbench(["sweep", "-m", "mpi", *QUICK], self.dir, env=env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("OMPI_ALLOW_RUN_AS_ROOT=1", p.stderr)

    @unittest.skipUnless(BUILT, "this build has no MPI")
    def test_ceiling_over_bare_ranks_and_mpi_floors(self):
        out = os.path.join(self.dir, "r.json")
        # with the ceilings, and the table on stdout
        quick = [a for a in QUICK if a not in ("--no-ceiling", "-q")]
        p = mpbench(["sweep", "-m", "fork,mpi", "-w", "sumsq", "-s", "100k", "-t", "8", "-j",
                     "1,2", *quick, "-o", out], self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ceiling over MPI ranks at 2 workers", p.stdout)
        with open(out) as f:
            d = json.load(f)
        kinds = sorted((c["workers"], c["over"]) for c in d["ceilings"])
        self.assertEqual(kinds, [(1, "mpi_ranks"), (1, "processes"), (2, "mpi_ranks"),
                                 (2, "processes")])
        by = {(c["workers"], c["over"]): c for c in d["ceilings"]}
        for c in d["ceilings"]:
            self.assertIsNone(c["error"], c)
            self.assertEqual(len(c["runs"]), 1, c)
            self.assertGreater(c["speedup"], 0, c)
        for pt in d["points"]:
            self.assertIsNone(pt["error"], pt)
            over = "mpi_ranks" if pt["method"] == "mpi" else "processes"
            dv = pt["derived"]
            # each point is judged against the ceiling of its own kind
            self.assertAlmostEqual(dv["ceiling_speedup"], by[(pt["workers"], over)]["speedup"])
            self.assertGreater(dv["speedup_vs_ceiling"], 0)
            self.assertIsNotNone(dv["startup_per_worker_floors"], pt["method"])
        fl = d["machine"]["floors"]
        self.assertGreater(fl["mpi_launch_ns"], 0)
        self.assertEqual(fl["mpi_launch_ranks"], 3)  # the largest job: 2 workers + the relay
        self.assertGreater(fl["mpi_rtt_ns"], 0)

    def test_floors_without_mpi_points_are_null(self):
        d = self.sweep("-m", "fork", "-w", "sumsq", "-s", "100k", "-t", "2", "-j", "1")
        fl = d["machine"]["floors"]
        for k in ("mpi_launch_ns", "mpi_launch_ranks", "mpi_rtt_ns"):
            self.assertIsNone(fl[k], k)

    def test_info_mpi_floors(self):
        p = mpbench(["info"], self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        j = mpbench(["info", "--format", "json"], self.dir)
        self.assertEqual(j.returncode, 0, j.stderr)
        info = json.loads(j.stdout)
        fl = info["machine"]["floors"]
        self.assertEqual(info["mpi"]["built"], BUILT)
        if BUILT:
            self.assertRegex(p.stdout, r"launch of \d+ ranks? +[0-9.]+ ms")
            self.assertRegex(p.stdout, r"message round trip +[0-9.]+ us")
            self.assertIsNone(info["mpi"]["floors_not_measured"])
            self.assertGreater(fl["mpi_launch_ns"], 0)
            self.assertEqual(fl["mpi_launch_ranks"], info["machine"]["usable_cpus"])
            self.assertGreater(fl["mpi_rtt_ns"], 0)
        else:
            self.assertRegex(p.stdout, r"MPI floors +not built")
            self.assertIn("not built", info["mpi"]["floors_not_measured"])
            self.assertIsNone(fl["mpi_launch_ns"])

    @unittest.skipIf(BUILT, "this build has MPI")
    def test_without_mpi_the_method_is_refused(self):
        p = mpbench(["sweep", "-m", "mpi", *QUICK], self.dir)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("-m", p.stderr)


if __name__ == "__main__":
    unittest.main()

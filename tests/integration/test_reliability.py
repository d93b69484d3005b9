#!/usr/bin/env python3
"""test_reliability.py — integration tests of the faults the harness must survive, one test per
fault: a worker killed by a signal, a worker that exits early, a task that
never finishes (--task-timeout) and a run that never ends (--timeout), a
corrupt frame, the forkserver dying, fork / posix_spawn failing (injected,
and for real under `ulimit -u`), running out of descriptors, a thread worker
that never finishes; then --fail-fast, --config and a bad MPBENCH_INJECT.

Faults come from the test-only MPBENCH_INJECT variable (harness/pool/inject.h) or
from real limits (RLIMIT_NOFILE; RLIMIT_NPROC as nobody). Each test asserts:
the harness ends within a generous bound (hangs, not speed), exit status 1,
the point recorded as failed with the cause in its error and the kind of
fault in its error_kind, the results file strict JSON
with status "failed", the sweep going on to the next point, and no process
left behind: this process is a child subreaper, so any worker or forkserver
the harness failed to reap becomes our child, and there must be none.

Standard library only; Linux only.
"""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import mpbtest
from mpbtest import (MPBENCH, become_subreaper, children_of, kill_and_reap, load_results,
                     our_children)
# hang detection only; each run here takes well under a second (bare)
BOUND_S = mpbtest.bound(60.0)
METHODS = ("fork", "spawn", "forkserver")
TRANSPORTS = ("pipe", "shm")
NOBODY = 65534


class ReliabilityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        become_subreaper()

    def setUp(self):
        if not MPBENCH:
            self.skipTest("MPBENCH is not set (run through meson test)")
        self.tmp = tempfile.TemporaryDirectory(prefix="mpb-rel-")
        self.out = os.path.join(self.tmp.name, "r.json")

    def tearDown(self):
        left = our_children()
        kill_and_reap(left)
        self.tmp.cleanup()
        self.assertEqual(left, [], "processes left behind")

    def mpbench(self, args, inject=None, preexec=None):
        env = dict(os.environ)
        env.pop("MPBENCH_INJECT", None)
        if inject:
            env["MPBENCH_INJECT"] = inject
        t0 = time.monotonic()
        p = subprocess.run(mpbtest.command() + args, cwd=self.tmp.name, env=env,
                           capture_output=True, text=True, timeout=BOUND_S, preexec_fn=preexec)
        took = time.monotonic() - t0
        self.assertLess(took, BOUND_S)
        # every worker reaped by the harness: none became ours
        self.assertEqual(our_children(), [], "the harness left processes behind")
        return p

    def sweep(self, extra, inject=None, preexec=None, workers="2", method="fork",
              transport="pipe"):
        args = ["sweep", "-w", "sumsq", "-s", "1k", "-t", "16", "-c", "1", "-j", workers,
                "-m", method, "--transport", transport, "-r", "1", "--warmup", "0", "--no-ceiling", "--counters",
                "none", "--no-progress", "-q", "-o", self.out] + extra
        return self.mpbench(args, inject, preexec)

    def assert_failed(self, p, cause, kind, npoints=1):
        """Exit 1, strict JSON with status failed, and every point failed
        with cause in its error and kind as its error_kind. Returns the
        document."""
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("failed", p.stderr)
        doc = load_results(self.out)
        self.assertEqual(doc["status"], "failed")
        self.assertEqual(len(doc["points"]), npoints)
        for pt in doc["points"]:
            self.assertIsNotNone(pt["error"], pt)
            self.assertIn(cause, pt["error"])
            self.assertEqual(pt["error_kind"], kind, pt["error"])
        return doc

    # ---- faults inside a run, on every process start method --------------

    def test_worker_killed_by_signal(self):
        for m in METHODS:
            with self.subTest(method=m):
                p = self.sweep([], "crash:worker=1,after=1,signal=11", method=m)
                self.assert_failed(p, "worker 1 (pid ", "worker_killed")
                self.assertIn("killed by signal 11",
                              load_results(self.out)["points"][0]["error"])

    def test_worker_exits_early(self):
        for m in METHODS:
            with self.subTest(method=m):
                p = self.sweep([], "exit:worker=0,after=1,status=7", method=m)
                self.assert_failed(p, "exited with status 7", "worker_exited")

    def test_task_never_finishes_task_timeout(self):
        for m in METHODS:
            for tr in TRANSPORTS:
                with self.subTest(method=m, transport=tr):
                    p = self.sweep(["--task-timeout", "0.5"], "hang:worker=1,after=1", method=m,
                                   transport=tr)
                    doc = self.assert_failed(p, "exceeded --task-timeout 0.5 s", "task_timeout")
                    self.assertIn("worker 1 (pid ", doc["points"][0]["error"])

    def test_run_never_ends_run_timeout(self):
        p = self.sweep(["--timeout", "0.5"], "hang:worker=0")
        self.assert_failed(p, "the run exceeded --timeout 0.5 s", "run_timeout")

    def test_corrupt_frame(self):
        for m in METHODS:
            for tr in TRANSPORTS:
                with self.subTest(method=m, transport=tr):
                    # the task limit only bounds a failure to notice the frame
                    p = self.sweep(["--task-timeout", "30"], "corrupt:worker=1,after=1",
                                   method=m, transport=tr)
                    self.assert_failed(p, "worker 1 (pid ", "protocol")
                    self.assertIn("corrupt frame", load_results(self.out)["points"][0]["error"])

    def test_forkserver_dies(self):
        p = self.sweep([], "kill-server:worker=0,after=1", method="forkserver")
        self.assert_failed(p, "forkserver (pid ", "forkserver_died")
        self.assertIn("killed by signal 9", load_results(self.out)["points"][0]["error"])

    def test_fork_fails(self):
        p = self.sweep([], "launch-fail:worker=1,errno=EAGAIN", method="fork")
        self.assert_failed(p, "fork for worker 1", "launch_failed")
        self.assertIn(os.strerror(11), load_results(self.out)["points"][0]["error"])

    def test_posix_spawn_fails(self):
        p = self.sweep([], "launch-fail:worker=0,errno=ENOMEM", method="spawn")
        self.assert_failed(p, "posix_spawn for worker 0", "launch_failed")
        self.assertIn(os.strerror(12), load_results(self.out)["points"][0]["error"])

    def test_out_of_descriptors(self):
        # a real limit: 2 workers fit, 16 need more pipes than 28 descriptors
        def limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (28, 28))
        for m in METHODS + ("thread",):
            with self.subTest(method=m):
                p = self.sweep([], preexec=limit, workers="2,16", method=m)
                self.assertEqual(p.returncode, 1, p.stderr)
                doc = load_results(self.out)
                self.assertEqual(doc["status"], "failed")
                by = {pt["workers"]: pt for pt in doc["points"]}
                self.assertIsNone(by[2]["error"])
                self.assertIsNone(by[2]["error_kind"])
                self.assertGreater(len(by[2]["runs"]), 0)
                self.assertIn("Too many open files", by[16]["error"])
                self.assertEqual(by[16]["error_kind"], "out_of_descriptors")

    def test_process_limit(self):
        """A real `ulimit -u`: as nobody, with 5 of nobody's 8 processes
        taken by sleepers, 1 worker fits and the 4-worker point fails when
        starting its third worker (or, for forkserver, the server's second
        fork) with EAGAIN. Root is not held to RLIMIT_NPROC, hence nobody."""
        if os.geteuid() != 0:
            self.skipTest("needs root, to run mpbench as nobody")
        mpbtest.skip_if_wrapped(self, "valgrind's own threads count against the limit")
        os.chmod(self.tmp.name, 0o777)
        # the checkout may sit where nobody cannot look: copies of both binaries
        bindir = os.path.join(self.tmp.name, "bin")
        os.mkdir(bindir)
        os.chmod(bindir, 0o755)
        exe = shutil.copy(MPBENCH, os.path.join(bindir, "mpbench"))
        wexe = shutil.copy(os.environ.get("MPBENCH_WORKER") or
                           os.path.join(os.path.dirname(MPBENCH), "mpbench-worker"),
                           os.path.join(bindir, "mpbench-worker"))
        for f in (exe, wexe):
            os.chmod(f, 0o755)

        def nobody():
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

        def limited_nobody():
            resource.setrlimit(resource.RLIMIT_NPROC, (8, 8))
            nobody()
        sleepers = [subprocess.Popen(["sleep", "600"], preexec_fn=nobody) for _ in range(5)]
        try:
            for m in METHODS + ("thread",):
                with self.subTest(method=m):
                    env = dict(os.environ, MPBENCH_WORKER=wexe)
                    p = mpbtest.mpbench(
                        ["sweep", "-w", "sumsq", "-s", "1k", "-t", "16", "-c", "1", "-j", "1,4",
                         "-m", m, "-r", "1", "--warmup", "0", "--no-ceiling", "--counters",
                         "none", "--no-progress", "-q", "-o", self.out],
                        self.tmp.name, BOUND_S, exe=exe, env=env, preexec_fn=limited_nobody)
                    self.assertEqual(p.returncode, 1, p.stderr)
                    doc = load_results(self.out)
                    self.assertEqual(doc["status"], "failed")
                    by = {pt["workers"]: pt for pt in doc["points"]}
                    self.assertIsNone(by[1]["error"], by[1]["error"])
                    self.assertGreater(len(by[1]["runs"]), 0)
                    self.assertIn(os.strerror(11), by[4]["error"])
                    self.assertEqual(by[4]["error_kind"], "launch_failed")
                    left = set(our_children()) - {s.pid for s in sleepers}
                    self.assertEqual(left, set(), "the harness left processes behind")
        finally:
            kill_and_reap([s.pid for s in sleepers])

    # ---- the sweep goes on, or stops with --fail-fast --------------------

    def test_sweep_goes_on_after_a_failed_point(self):
        # worker 2 exists only at -j 3 and 4: those points fail, 1 and 2 measure
        p = self.sweep(["-r", "2", "--max-runs", "2"], "exit:worker=2", workers="1,2,3,4")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("2 point(s)", p.stderr)
        doc = load_results(self.out)
        self.assertEqual(doc["status"], "failed")
        by = {pt["workers"]: pt for pt in doc["points"]}
        for w in (1, 2):
            self.assertIsNone(by[w]["error"])
            self.assertIsNone(by[w]["error_kind"])
            self.assertEqual(len(by[w]["runs"]), 2)
        for w in (3, 4):
            self.assertIn("worker 2 (pid ", by[w]["error"])
            self.assertEqual(by[w]["error_kind"], "worker_exited")
            self.assertEqual(by[w]["runs"], [])

    def test_fail_fast_stops_at_the_first_failure(self):
        p = self.sweep(["-r", "3", "--max-runs", "3", "--fail-fast"], "exit:worker=2",
                       workers="1,2,3,4")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("--fail-fast", p.stderr)
        doc = load_results(self.out)
        self.assertEqual(doc["status"], "failed")
        failed = [pt for pt in doc["points"] if pt["error"]]
        self.assertEqual(len(failed), 1, [pt["error"] for pt in doc["points"]])
        # nothing ran after the failure: no point completed its three runs
        for pt in doc["points"]:
            self.assertLess(len(pt["runs"]), 3)

    # ---- interruption and the results file ----------------------------------

    def test_double_sigint_while_a_worker_hangs(self):
        """A hung worker and no timeout: only the interrupt can end the sweep.
        Two SIGINTs in a row: exit 130 promptly, the file strict JSON with
        status interrupted and the runs before, every process reaped."""
        for m in ("fork", "forkserver"):
            with self.subTest(method=m):
                env = dict(os.environ, MPBENCH_INJECT="hang:worker=0,after=1")
                args = ["sweep", "-w", "sumsq", "-s", "1k", "-t", "16", "-c", "1", "-j", "1,2",
                        "-m", m, "-r", "3", "--max-runs", "3", "--warmup", "0", "--no-ceiling",
                        "--counters", "none", "--no-progress", "-q", "-o", self.out]
                p = mpbtest.popen(args, cwd=self.tmp.name, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                # wait for workers, then give worker 0 time to reach its hang
                deadline = time.monotonic() + BOUND_S
                while time.monotonic() < deadline and not children_of(p.pid):
                    self.assertIsNone(p.poll(), "mpbench exited before its workers started")
                    time.sleep(0.01)
                time.sleep(mpbtest.bound(0.3))
                p.send_signal(2)
                p.send_signal(2)
                t0 = time.monotonic()
                _, err = p.communicate(timeout=BOUND_S)
                # "within a second", generously
                self.assertLess(time.monotonic() - t0, mpbtest.bound(10.0))
                self.assertEqual(p.returncode, 130, err)
                self.assertIn("interrupted", err)
                doc = load_results(self.out)
                self.assertEqual(doc["status"], "interrupted")
                self.assertEqual(our_children(), [])
                self.assertEqual([f for f in os.listdir(self.tmp.name) if ".tmp" in f], [])
                os.unlink(self.out)

    def test_full_disk_keeps_the_previous_file(self):
        """A write that fails (RLIMIT_FSIZE stands in for a full disk): one
        clear line, exit 1, the previous file intact, no temporary left."""
        with open(self.out, "w") as f:
            f.write('{"previous": true}\n')

        def small_files():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        p = self.sweep([], preexec=small_files)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("previous file kept", p.stderr)
        self.assertIn("File too large", p.stderr)
        with open(self.out) as f:
            self.assertEqual(f.read(), '{"previous": true}\n')
        self.assertEqual(os.listdir(self.tmp.name), ["r.json"])

    # ---- input -------------------------------------------------------------

    def test_bad_inject_spec_is_an_input_error(self):
        p = self.sweep([], "crash:wroker=1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("MPBENCH_INJECT", p.stderr)
        self.assertIn("wroker", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        self.assertFalse(os.path.exists(self.out))

    def test_timeout_values_checked(self):
        for bad in ("-1", "abc", "1e999", "nan"):
            p = self.sweep(["--timeout", bad])
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("--timeout", p.stderr)
            self.assertFalse(os.path.exists(self.out))

    def test_point_count_checked(self):
        """Long lists multiply: refused before any run, not expanded until
        memory runs out."""
        many = ",".join(str(i) for i in range(1, 1001))
        p = self.mpbench(["sweep", "-w", "sumsq", "-s", many, "-t", many, "-j", "1,2",
                          "-o", self.out])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("2000000 points", p.stderr)
        self.assertIn("1000 x 1000", p.stderr)
        self.assertFalse(os.path.exists(self.out))

    def test_config_file(self):
        cfg = os.path.join(self.tmp.name, "c.json")
        with open(cfg, "w") as f:
            json.dump({"workload": "sumsq", "sizes": "1k", "tasks": 8, "workers": [1, 2],
                       "runs": 1, "max-runs": 1, "warmup": 0, "no-ceiling": True,
                       "counters": "none", "quiet": True, "output": self.out}, f)
        # the command line overrides the file: one worker count, not two
        p = self.mpbench(["sweep", "--config", cfg, "-j", "2"])
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(self.out)
        self.assertEqual([pt["workers"] for pt in doc["points"]], [2])
        self.assertEqual(doc["points"][0]["tasks"], 8)
        os.unlink(self.out)
        for bad, words in (('{"wrokers": 2}', ["unknown key 'wrokers'", "workers"]),
                           ('{"runs": "x"}', ["--runs", "'x'"]),
                           ('{"quiet": 1}', ["'quiet'", "true or false"]),
                           ('{"runs": 1,', ["line 1"]),
                           ('[1]', ["not a JSON object"])):
            with open(cfg, "w") as f:
                f.write(bad)
            p = self.mpbench(["sweep", "--config", cfg, "-o", self.out])
            self.assertEqual(p.returncode, 2, bad)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            for w in words + [cfg]:
                self.assertIn(w, p.stderr)
            self.assertFalse(os.path.exists(self.out))

    def test_thread_task_never_finishes(self):
        """A thread worker cannot be killed: past --task-timeout it is
        abandoned, still hung, the point fails with the timeout, and the
        sweep stops there (the thread would run next to later points).
        Without the abandonment mpbench would never exit."""
        for tr in TRANSPORTS:
            with self.subTest(transport=tr):
                t0 = time.monotonic()
                p = self.sweep(["--task-timeout", "0.5", "-r", "2", "--max-runs", "2"],
                               "hang:worker=1,after=1", workers="1,2", method="thread",
                               transport=tr)
                # T + the 0.5 s reap grace + the runs before; generous (hang detection)
                self.assertLess(time.monotonic() - t0, mpbtest.bound(30.0))
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn("a thread worker could not be stopped", p.stderr)
                self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                doc = load_results(self.out)
                self.assertEqual(doc["status"], "failed")
                by = {pt["workers"]: pt for pt in doc["points"]}
                self.assertIn("worker 1 (thread) exceeded --task-timeout 0.5 s", by[2]["error"])
                self.assertIn("left running", by[2]["error"])
                self.assertEqual(by[2]["error_kind"], "task_timeout")
                self.assertEqual(by[2]["runs"], [])
                # stopped there: the other point never got its second run
                self.assertIsNone(by[1]["error"])
                self.assertLess(len(by[1]["runs"]), 2)
                os.unlink(self.out)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[1:])

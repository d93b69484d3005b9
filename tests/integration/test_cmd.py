#!/usr/bin/env python3
"""test_cmd.py — integration tests of the `cmd` workload, run against the
built binary (path in $MPBENCH, set by tests/meson.build).

Covers --cmd templates (substitution seen by the program, bad templates exit 2
naming the position, nothing written), the serial baseline at {workers}=1 and
--baseline-cmd, --shell, the MPBENCH_FD channel (accepted fields in the run
and its summary, unknown keys under extra, malformed and oversized lines
reported), a non-zero exit recorded with its stderr tail (exit status 1), a
--timeout that kills the command's whole process tree (no process left), and
the CPython scripts of workloads/python under fork, spawn and forkserver
(skipped, saying so, when python3 is missing).

Standard library only; every invocation runs in a fresh temporary directory.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import mpbtest
from mpbtest import MPBENCH, alive
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYDIR = os.path.join(ROOT, "workloads", "python")
RUN_TIMEOUT_S = 300  # hang detection only
QUICK = ["-r", "1", "--max-runs", "1", "--warmup", "0", "--no-progress", "--counters",
         "default"]

# A program that reports through MPBENCH_FD what it was given, plus a malformed
# and an oversized line, and logs its argv to a file.
HELPER = r'''
import json, os, sys
args = sys.argv[1:]
with open(os.environ["HELPER_LOG"], "a") as f:
    f.write(" ".join(args) + "\n")
fd = int(os.environ["MPBENCH_FD"])
workers = int(args[0])
os.write(fd, (json.dumps({"map_ns": 1000 * workers, "startup_ns": 7, "argv": args}) + "\n").encode())
os.write(fd, b"this is not json\n")
os.write(fd, b'{"pad": "' + b"x" * 70000 + b'"}\n')
os.write(fd, b'{"teardown_ns": 5}')  # last line without a newline
'''


def mpbench(args, cwd, env=None):
    full = dict(os.environ)
    full.update(env or {})
    return mpbtest.mpbench(args, cwd, RUN_TIMEOUT_S, env=full)


class CmdTestCase(unittest.TestCase):
    def setUp(self):
        if not MPBENCH or not os.access(MPBENCH, os.X_OK):
            self.skipTest("MPBENCH does not name the built binary")
        self.dir = tempfile.mkdtemp(prefix="mpb-cmd-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assert_bad_input(self, args, *needles):
        r = mpbench(["sweep"] + args, self.dir)
        self.assertEqual(r.returncode, 2, r.stderr)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("mpbench: error: "), lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertEqual(os.listdir(self.dir), [], "bad input must write nothing")

    def load(self, path):
        with open(os.path.join(self.dir, path)) as f:
            return json.load(f)

    # ---- bad input ----

    def test_bad_templates(self):
        self.assert_bad_input(["--cmd", "prog -j {worker}"], "'{worker}'", "character 9",
                              "{workers}")
        self.assert_bad_input(["--cmd", "prog 'abc"], "unbalanced single", "character 6")
        self.assert_bad_input(["--cmd", 'prog "a b'], "unbalanced double", "character 6")
        self.assert_bad_input(["--cmd", "prog {size"], "character 6", "not closed")
        self.assert_bad_input(["--cmd", "   "], "empty command")
        self.assert_bad_input(["--cmd", "true", "--baseline-cmd", "x {nope}"], "--baseline-cmd",
                              "{nope}")
        self.assert_bad_input(["--cmd", "no-such-program-mpb -j {workers}"],
                              "no-such-program-mpb", "PATH")
        self.assert_bad_input(["-w", "cmd"], "--cmd")
        self.assert_bad_input(["--cmd", "true", "-w", "sumsq"], "-w/--workload")
        self.assert_bad_input(["--baseline-cmd", "true"], "--baseline-cmd needs --cmd")
        self.assert_bad_input(["--shell"], "--shell needs --cmd")
        self.assert_bad_input(["--cmd", "true", "-c", "4,auto"], "auto cannot go with --cmd")

    # ---- a sweep through the channel ----

    def test_substitution_channel_and_baseline(self):
        helper = os.path.join(self.dir, "helper.py")
        log = os.path.join(self.dir, "log.txt")
        with open(helper, "w") as f:
            f.write(HELPER)
        out = "r.json"
        r = mpbench(["sweep", "--cmd", f"{sys.executable} {helper} {{workers}} {{size}} "
                     "{method} {chunksize} {tasks}", "-j", "2,3", "-s", "7", "-t", "12",
                     "-c", "python", "-m", "fork,spawn", "-r", "2", "--max-runs", "2",
                     "--warmup", "0", "--no-progress", "-o", out], self.dir,
                    env={"HELPER_LOG": log})
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = self.load(out)
        self.assertEqual(doc["ceilings"], [], "a command has no ceiling")
        self.assertEqual(len(doc["points"]), 4)
        for p in doc["points"]:
            self.assertEqual(p["workload"], "cmd")
            self.assertIsNone(p["error"])
            self.assertEqual(len(p["runs"]), 2)
            want = [str(p["workers"]), "7", p["method"], str(p["chunksize"]), "12"]
            # python rule: ceil(12 / (4 workers))
            self.assertEqual(p["chunksize"], -(-12 // (4 * p["workers"])))
            for run in p["runs"]:
                c = run["cmd"]
                self.assertEqual(c["argv"][2:], want)
                self.assertEqual(c["exit_status"], 0)
                self.assertFalse(c["timed_out"])
                self.assertEqual(c["reported"], {"map_ns": 1000 * p["workers"],
                                                 "startup_ns": 7, "teardown_ns": 5})
                self.assertEqual(c["extra"], {"argv": want})
                self.assertEqual(c["lines"], 2)
                self.assertEqual(c["lines_ignored"], 2)
                self.assertIn("line 2: not JSON", c["errors"][0])
                self.assertIn("line 3: longer than", c["errors"][1])
                self.assertEqual(run["map_ns"], 1000 * p["workers"])
                self.assertGreater(run["wall_ns"], 0)
                self.assertGreater(c["tree"]["user_ns"] + c["tree"]["system_ns"], 0)
            self.assertEqual(p["summary"]["map_ns"]["median"], 1000 * p["workers"])
            self.assertIsNotNone(p["derived"]["speedup"])
        # the serial baseline: the same command at {workers}=1, the other values
        # from the first point it serves
        self.assertEqual(len(doc["baselines"]), 1)
        b = doc["baselines"][0]
        self.assertIsNone(b["error"])
        self.assertEqual(len(b["runs"]), 2)
        with open(log) as f:
            calls = [line.split() for line in f.read().splitlines()]
        self.assertEqual(len(calls), 4 * 2 + 2)
        baseline_calls = [c for c in calls if c[0] == "1"]
        self.assertEqual(len(baseline_calls), 2)
        first = doc["points"][0]
        self.assertEqual(baseline_calls[0], ["1", "7", first["method"],
                                             str(first["chunksize"]), "12"])

    def test_shell_and_baseline_cmd(self):
        marker = os.path.join(self.dir, "baseline-ran")
        r = mpbench(["sweep", "--shell", "--cmd",
                     'echo "{{\\"map_ns\\": {workers}}}" >&$MPBENCH_FD && test {workers} -gt 1',
                     "--baseline-cmd", f"echo {{tasks}} >> {marker}", "-j", "2", "-t", "3",
                     "-o", "r.json"] + QUICK, self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = self.load("r.json")
        run = doc["points"][0]["runs"][0]
        self.assertEqual(run["cmd"]["argv"][:2], ["/bin/sh", "-c"])
        self.assertEqual(run["cmd"]["reported"], {"map_ns": 2})
        with open(marker) as f:
            self.assertEqual(f.read(), "3\n")  # one measured baseline run, {tasks} = 3

    # ---- failures ----

    def test_nonzero_exit_recorded(self):
        r = mpbench(["sweep", "--cmd", "sh -c 'echo first >&2; echo oops-{workers} >&2; exit 7'",
                     "-j", "2", "-o", "r.json"] + QUICK, self.dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = self.load("r.json")
        self.assertEqual(doc["status"], "failed")
        err = doc["points"][0]["error"]
        self.assertIn("exited with status 7", err)
        self.assertIn("oops-2", err)
        self.assertIn("oops-1", doc["baselines"][0]["error"])

    def test_timeout_kills_the_tree(self):
        self.check_timeout_kills_the_tree({})

    def test_timeout_kills_the_tree_without_pidfd(self):
        """Where no pidfd can be had the command has a reaper for a parent
        (harness/external/cmd_reaper.h): the group is killed all the same."""
        self.check_timeout_kills_the_tree({"MPBENCH_NO_PIDFD": "1"})

    def check_timeout_kills_the_tree(self, env):
        pids = os.path.join(self.dir, "pids")
        t0 = time.monotonic()
        r = mpbench(["sweep", "--shell", "--cmd",
                     f"sleep 300 & echo $! >> {pids}; sh -c 'sleep 300' & echo $! >> {pids}; "
                     "echo $$ >> " + pids + "; wait",
                     # 3 s: time for the shell to list its pids on a loaded machine
                     "--timeout", "3", "-j", "2", "-o", "r.json"] + QUICK, self.dir, env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertLess(time.monotonic() - t0, mpbtest.bound(120))
        doc = self.load("r.json")
        self.assertIn("timed out after 3 s", doc["points"][0]["error"])
        self.assertIn("timed out", doc["baselines"][0]["error"])
        with open(pids) as f:
            listed = [int(x) for x in f.read().split()]
        self.assertEqual(len(listed), 6)  # 3 per run: the baseline's and the point's
        for pid in listed:
            self.assertFalse(alive(pid), f"process {pid} of a timed-out command is alive")

    def test_escaped_descendant_fails_the_point(self):
        """A command that leaves a process running outside its process group
        (setsid) fails its point, and that process is killed, not left."""
        self.check_escaped_descendant({})

    def test_escaped_descendant_without_pidfd(self):
        """The same with the command's reaper: the reaper itself, a child of
        mpbench too, is not taken for an escaped descendant."""
        self.check_escaped_descendant({"MPBENCH_NO_PIDFD": "1"})

    def check_escaped_descendant(self, env):
        # the sleeper writes its pid (p.<command's pid>) before the command
        # exits, so it has left the group by then (a group kill would
        # otherwise end it first)
        mark = os.path.join(self.dir, "p.$$")
        r = mpbench(["sweep", "--shell", "--cmd",
                     f"setsid sh -c \"echo \\$\\$ > {mark}; exec sleep 300\" & "
                     f"while [ ! -s {mark} ]; do sleep 0.01; done; exit 0",
                     "-j", "1", "-o", "r.json"] + QUICK, self.dir, env)
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = self.load("r.json")
        for item in (doc["points"][0], doc["baselines"][0]):
            self.assertIn("left 1 process running outside its process group", item["error"])
            self.assertEqual(item["error_kind"], "command_failed")
        listed = []
        for name in os.listdir(self.dir):
            if name.startswith("p."):
                with open(os.path.join(self.dir, name)) as f:
                    listed.append(int(f.read()))
        self.assertGreaterEqual(len(listed), 2)  # the baseline's and the point's
        for pid in listed:
            self.assertFalse(alive(pid), f"escaped process {pid} is still alive")

    # ---- the CPython scripts ----

    def python_or_skip(self):
        py = shutil.which("python3")
        if not py:
            self.skipTest("python3 is not in PATH: the workloads/python scripts cannot run")
        return py

    def test_seed_script_all_methods(self):
        py = self.python_or_skip()
        seed = os.path.join(PYDIR, "seed.py")
        r = mpbench(["sweep", "--cmd", f"{py} {seed} -j {{workers}} -m {{method}} -s {{size}} "
                     "-t {tasks}", "-m", "fork,spawn,forkserver", "-j", "2", "-s", "20k",
                     "-t", "4", "-o", "r.json"] + QUICK, self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = self.load("r.json")
        self.assertEqual(sorted(p["method"] for p in doc["points"]),
                         ["fork", "forkserver", "spawn"])
        for p in doc["points"]:
            self.assertIsNone(p["error"])
            c = p["runs"][0]["cmd"]
            self.assertEqual(set(c["reported"]), {"startup_ns", "map_ns", "teardown_ns"})
            self.assertEqual(c["extra"], {"workers": 2, "mode": p["method"]})
            self.assertEqual(c["errors"], [])
        self.assertIsNone(doc["baselines"][0]["error"])

    def test_seed_script_catches_a_wrong_method(self):
        py = self.python_or_skip()
        r = subprocess.run([py, os.path.join(PYDIR, "seed.py"), "-j", "2", "-m", "nosuch",
                            "-s", "10"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=RUN_TIMEOUT_S)
        self.assertEqual(r.returncode, 2)
        self.assertIn("nosuch", r.stderr)

    def test_tiny_script_chunks(self):
        py = self.python_or_skip()
        tiny = os.path.join(PYDIR, "tiny.py")
        r = mpbench(["sweep", "--cmd", f"{py} {tiny} -j {{workers}} -m {{method}} -t {{tasks}} "
                     "-c {chunksize} -s {size} --pickle-estimate", "-s", "5", "-t", "500",
                     "-j", "2", "-c", "1,100", "-m", "fork,spawn,forkserver", "-o", "r.json"]
                    + QUICK, self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = self.load("r.json")
        self.assertEqual(len(doc["points"]), 6)
        for p in doc["points"]:
            self.assertIsNone(p["error"])
            c = p["runs"][0]["cmd"]
            self.assertEqual(c["extra"]["chunksize"], p["chunksize"])
            self.assertIn("serialize_ns", c["reported"])
            self.assertEqual(p["runs"][0]["codec_ns"]["parent"], c["reported"]["serialize_ns"])


if __name__ == "__main__":
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[1:], exit=False, verbosity=2)
    sys.exit(0 if prog.result.wasSuccessful() else 1)

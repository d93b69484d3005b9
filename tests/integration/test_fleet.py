#!/usr/bin/env python3
"""test_fleet.py — scripts/fleet/: one plan on many machines, one report.

- plan.sh runs the plan labelled into DIR/LABEL.json (with --label when the
  binary has it); merge.sh turns several such files into one report and one
  table; bad input exits 2;
- slurm-array.sh, run as an array task would be (SLURM_* set), writes
  OUTDIR/results/JOB_TASK-PARTITION_NODE.json;
- slurm-submit.sh against a fake sbatch and sinfo (a script that records its
  arguments and runs each array task and the merge job itself, as Slurm
  would): one array per partition with one task per node, a merge job that
  depends on all of them, and in the end one report of every task;
- where Slurm is installed and the test runs as root: the same against a
  real single-node Slurm (munged, slurmctld and slurmd started here in a
  temporary directory on free ports, stopped afterwards). Elsewhere that
  case is skipped, saying why.

The plan is tiny (null tasks, 2 runs): nothing here depends on timing.
"""

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

import mpbtest
from mpbtest import MPBENCH

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FLEET = os.path.join(ROOT, "scripts", "fleet")
PLAN = ["-w", "null", "-t", "20", "-j", "1", "-r", "2", "--max-runs", "2", "--no-ceiling"]
TIMEOUT_S = 240  # hang detection only

# A stand-in for sbatch: records its arguments, prints a job id and does
# what Slurm would do at once: every task of an --array (with the SLURM_*
# variables a task sees), or the --wrap command.
FAKE_SBATCH = r'''#!/usr/bin/env python3
import os, subprocess, sys
log = os.environ["FAKE_SLURM_LOG"]
counter = log + ".id"
jid = int(open(counter).read()) if os.path.exists(counter) else 100
open(counter, "w").write(str(jid + 1))
with open(log, "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\n")
opts, rest = {}, []
args = sys.argv[1:]
while args:
    a = args.pop(0)
    if rest or not a.startswith("--"):
        rest.append(a)
    elif "=" in a:
        k, v = a[2:].split("=", 1)
        opts[k] = v
    else:
        opts[a[2:]] = True
print(jid)
sys.stdout.flush()
env = dict(os.environ, SLURM_JOB_ID=str(jid), SLURM_SUBMIT_DIR=os.getcwd())
rc = 0
if "array" in opts:
    lo, hi = map(int, opts["array"].split("-"))
    for i in range(lo, hi + 1):
        e = dict(env, SLURM_ARRAY_JOB_ID=str(jid), SLURM_ARRAY_TASK_ID=str(i),
                 SLURM_JOB_PARTITION=opts["partition"], SLURMD_NODENAME="node%d" % i)
        rc |= subprocess.call(rest, env=e, stdout=subprocess.DEVNULL)
else:
    rc = subprocess.call(["bash", "-c", opts["wrap"]], env=env, stdout=subprocess.DEVNULL)
sys.exit(rc if "wait" in opts else 0)
'''

# sinfo: partitions debug (2 nodes) and big (1 + 2 nodes in two states)
FAKE_SINFO = r'''#!/bin/sh
case "$*" in
  "-h -o %R") printf 'debug\nbig\ndebug\n' ;;
  "-h -p debug -o %D") echo 2 ;;
  "-h -p big -o %D") printf '1\n2\n' ;;
  *) echo "fake sinfo: $*" >&2; exit 1 ;;
esac
'''


def run(argv, env=None, cwd=None, timeout=TIMEOUT_S):
    e = dict(os.environ)
    e["MPBENCH"] = MPBENCH
    e.update(env or {})
    return subprocess.run(argv, env=e, cwd=cwd or ROOT, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          timeout=mpbtest.bound(timeout))


def script(name):
    return os.path.join(FLEET, name)


def has_label_option():
    p = run([MPBENCH, "sweep", "--help"])
    return "--label" in p.stdout


def table_rows(md):
    return [line for line in md.splitlines() if line.startswith("| ") and "---" not in line][1:]


class Fleet(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mpb-fleet-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assert_report_of(self, outdir, nfiles):
        self.assertTrue(os.path.isfile(os.path.join(outdir, "index.md")))
        self.assertTrue(os.path.isfile(os.path.join(outdir, "index.html")))
        with open(os.path.join(outdir, "fleet.md")) as f:
            rows = table_rows(f.read())
        # one point per file: the plan has one
        self.assertEqual(len(rows), nfiles, rows)

    def test_plan_and_merge(self):
        d = os.path.join(self.tmp, "r")
        for label in ("runner-a", "debug/vm 1"):
            p = run([script("plan.sh"), d, label] + PLAN)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(d)), ["debug_vm_1.json", "runner-a.json"])
        for name, label in (("runner-a.json", "runner-a"), ("debug_vm_1.json", "debug/vm 1")):
            doc = mpbtest.load_results(os.path.join(d, name))
            self.assertEqual(len(doc["points"]), 1)
            if has_label_option():
                i = doc["command"].index("--label")
                self.assertEqual(doc["command"][i + 1], label)
                self.assertEqual(doc["label"], label)
            else:
                self.assertNotIn("--label", doc["command"])
        out = os.path.join(self.tmp, "report")
        summary = os.path.join(self.tmp, "summary.md")
        p = run([script("merge.sh"), out, d], env={"GITHUB_STEP_SUMMARY": summary})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_report_of(out, 2)
        with open(summary) as f:
            self.assertIn("### mpbench fleet: 2 machines", f.read())
        # files named one by one do the same
        p = run([script("merge.sh"), out + "2", os.path.join(d, "runner-a.json")])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_report_of(out + "2", 1)

    def test_bad_input(self):
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        for argv, msg in (
                ([script("merge.sh"), os.path.join(self.tmp, "o"), empty], "no results file"),
                ([script("merge.sh"), os.path.join(self.tmp, "o"), "/nonexistent"],
                 "neither a results file nor a directory"),
                ([script("merge.sh"), os.path.join(self.tmp, "o")], "usage"),
                ([script("plan.sh"), self.tmp, ""], "LABEL is empty"),
                ([script("slurm-array.sh"), self.tmp], "not a job array task"),
                ([script("slurm-submit.sh"), "-n", "0", self.tmp], "-n '0' is not accepted")):
            p = run(argv, env={"SLURM_ARRAY_TASK_ID": ""})
            self.assertEqual(p.returncode, 2, argv)
            self.assertIn(msg, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "o")))

    def test_array_task_without_slurm(self):
        out = os.path.join(self.tmp, "out")
        env = {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_JOB_ID": "77",
               "SLURM_JOB_PARTITION": "big", "SLURMD_NODENAME": "n7", "MPB_FLEET_DIR": FLEET}
        p = run([script("slurm-array.sh"), out] + PLAN, env=env, cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.listdir(os.path.join(out, "results")), ["77_3-big_n7.json"])
        self.assertFalse(os.path.exists(os.path.join(out, "tasks")))
        doc = mpbtest.load_results(os.path.join(out, "results", "77_3-big_n7.json"))
        if has_label_option():
            self.assertEqual(doc["label"], "big/n7")

    def fake_slurm(self):
        bindir = os.path.join(self.tmp, "bin")
        os.mkdir(bindir)
        for name, text in (("sbatch", FAKE_SBATCH), ("sinfo", FAKE_SINFO)):
            path = os.path.join(bindir, name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        log = os.path.join(self.tmp, "sbatch.log")
        return {"PATH": bindir + os.pathsep + os.environ.get("PATH", ""), "FAKE_SLURM_LOG": log}

    def test_submit_with_fake_sbatch(self):
        env = self.fake_slurm()
        out = os.path.join(self.tmp, "out")
        p = run([script("slurm-submit.sh"), "--wait", out] + PLAN, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(env["FAKE_SLURM_LOG"]) as f:
            calls = f.read().splitlines()
        # one array per partition (each listed once), one task per node, then the merge
        self.assertEqual(len(calls), 3, calls)
        self.assertIn("--partition=debug --array=0-1 ", calls[0])
        self.assertIn("--partition=big --array=0-2 ", calls[1])
        for c in calls[:2]:
            self.assertIn(script("slurm-array.sh") + " " + out + " " + " ".join(PLAN), c)
        self.assertIn("--dependency=afterany:100:101 ", calls[2])
        self.assertIn("--wait", calls[2])
        self.assertIn(script("merge.sh"), calls[2])
        self.assertIn("merge job 102 (after 100:101)", p.stdout)
        names = sorted(os.listdir(os.path.join(out, "results")))
        self.assertEqual(names, ["100_0-debug_node0.json", "100_1-debug_node1.json",
                                 "101_0-big_node0.json", "101_1-big_node1.json",
                                 "101_2-big_node2.json"])
        self.assert_report_of(os.path.join(out, "report"), 5)

        # -p and -n choose instead of sinfo; SBATCH_EXTRA reaches every job
        os.remove(env["FAKE_SLURM_LOG"])
        env["SBATCH_EXTRA"] = "--account=acme --time=00:05:00"
        p = run([script("slurm-submit.sh"), "-p", "big", "-n", "1", out] + PLAN, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(env["FAKE_SLURM_LOG"]) as f:
            calls = f.read().splitlines()
        self.assertEqual(len(calls), 2, calls)
        self.assertIn("--partition=big --array=0-0 ", calls[0])
        self.assertTrue(all("--account=acme --time=00:05:00" in c for c in calls))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RealSlurm(unittest.TestCase):
    """A single-node Slurm on this machine, started and stopped by the test."""

    NEEDED = ["munged", "slurmctld", "slurmd", "sbatch", "sinfo", "scontrol"]

    def setUp(self):
        missing = [p for p in self.NEEDED if not shutil.which(p)]
        if missing:
            self.skipTest("Slurm is not installed (missing %s; scripts/setup.sh installs "
                          "slurmctld, slurmd, slurm-client and munge)" % ", ".join(missing))
        if os.geteuid() != 0:
            self.skipTest("slurmd must run as root to start jobs")
        self.tmp = tempfile.mkdtemp(prefix="mpb-slurm-")
        os.chmod(self.tmp, 0o755)
        self.pids = []
        self.env = {"SLURM_CONF": os.path.join(self.tmp, "slurm.conf")}
        self.start()

    def tearDown(self):
        run(["scontrol", "shutdown"], env=self.env, timeout=30)
        for name in ("slurmd.pid", "slurmctld.pid", "munge/munged.pid"):
            self.stop(os.path.join(self.tmp, name))
        shutil.rmtree(self.tmp, ignore_errors=True)

    def stop(self, pidfile):
        """Stop the daemon we started (by its pid file), waiting a little."""
        try:
            with open(pidfile) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return
        deadline = time.monotonic() + mpbtest.bound(10)
        sig = signal.SIGTERM
        while time.monotonic() < deadline:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def log_tail(self):
        text = ""
        for name in ("log/slurmctld.log", "log/slurmd.log", "munge/munged.log"):
            try:
                with open(os.path.join(self.tmp, name)) as f:
                    text += "== %s\n%s" % (name, "".join(f.readlines()[-5:]))
            except OSError:
                pass
        return text

    def start(self):
        d = self.tmp
        for sub in ("spool", "state", "log", "munge"):
            os.mkdir(os.path.join(d, sub))
        os.chmod(os.path.join(d, "munge"), 0o711)
        key = os.path.join(d, "munge", "munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(128))
        os.chmod(key, 0o600)
        sock = os.path.join(d, "munge", "munge.socket")
        p = run(["munged", "--key-file=" + key, "--socket=" + sock,
                 "--pid-file=" + os.path.join(d, "munge", "munged.pid"),
                 "--log-file=" + os.path.join(d, "munge", "munged.log"),
                 "--seed-file=" + os.path.join(d, "munge", "seed"), "--force"], timeout=30)
        if p.returncode != 0:
            self.skipTest("munged did not start here: %s" % (p.stderr.strip() or self.log_tail()))
        node = socket.gethostname().split(".")[0]
        conf = """ClusterName=mpbtest
SlurmctldHost={node}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={sock}
SlurmctldPort={p1}
SlurmdPort={p2}
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
NodeName={node} CPUs={cpus} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=UNLIMITED State=UP
""".format(node=node, sock=sock, p1=free_port(), p2=free_port(), d=d,
           cpus=os.cpu_count() or 1)
        with open(self.env["SLURM_CONF"], "w") as f:
            f.write(conf)
        self.node = node
        for daemon in ("slurmctld", "slurmd"):
            p = run([daemon, "-f", self.env["SLURM_CONF"]], env=self.env, timeout=30)
            if p.returncode != 0:
                self.skipTest("%s did not start here: %s\n%s" % (daemon, p.stderr.strip(),
                                                                 self.log_tail()))
        deadline = time.monotonic() + mpbtest.bound(30)
        while time.monotonic() < deadline:
            p = run(["sinfo", "-h", "-o", "%T"], env=self.env, timeout=30)
            if p.returncode == 0 and p.stdout.strip() == "idle":
                return
            time.sleep(0.5)
        self.skipTest("the Slurm node did not become idle within 30 s (sinfo: %r)\n%s"
                      % (p.stdout.strip() or p.stderr.strip(), self.log_tail()))

    def test_submit_and_merge(self):
        out = os.path.join(self.tmp, "out")
        p = run([script("slurm-submit.sh"), "--wait", out] + PLAN, env=self.env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr + self.log_tail())
        self.assertIn("partition debug: job array", p.stdout)
        names = os.listdir(os.path.join(out, "results"))
        self.assertEqual(len(names), 1, names)
        self.assertTrue(names[0].endswith("_0-debug_%s.json" % self.node), names)
        doc = mpbtest.load_results(os.path.join(out, "results", names[0]))
        self.assertEqual(doc["status"], "complete")
        if has_label_option():
            self.assertEqual(doc["label"], "debug/" + self.node)
        self.assertTrue(os.path.isfile(os.path.join(out, "report", "index.md")))
        logs = [n for n in os.listdir(out) if n.startswith("slurm-")]
        self.assertEqual(len(logs), 2, logs)  # the array task's and the merge job's


def main():
    if not MPBENCH or not os.access(MPBENCH, os.X_OK):
        print("test_fleet: MPBENCH must name the built mpbench binary (got %r)" % MPBENCH)
        print("test_fleet: FAILED")
        return 1
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[1:], exit=False, verbosity=2)
    res = prog.result
    ok = res.wasSuccessful() and res.testsRun > 0
    print("test_fleet: %s (%d tests, %d failures, %d errors, %d skipped)"
          % ("OK" if ok else "FAILED", res.testsRun, len(res.failures), len(res.errors),
             len(res.skipped)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

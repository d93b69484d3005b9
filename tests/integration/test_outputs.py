#!/usr/bin/env python3
"""test_outputs.py — what `-o` does to what its path names already, and what
`report -o DIR` refuses (harness/output/outfile.h, harness/output/report.c):

- a character device or a FIFO is written through, never replaced, and only
  with the final document; `-` is standard output; /dev/full fails (exit 1);
- a FIFO with no reader, a dangling link and a directory are refused (exit 2);
- a link to a regular file replaces the file and stays a link;
- a replaced file keeps its mode, and no temporary file is left; a stale one
  of a killed mpbench is removed;
- a second mpbench writing the same path while the first runs is refused
  (exit 2), and concurrent default names never collide;
- an interrupt before any run keeps the previous results file as it was;
- report refuses a directory others can write, and a planted link.

Device cases use a character device made with mknod in a temporary directory
where root may (else /dev/null and /dev/full themselves, which are never
changed by a correct mpbench). Each test checks the exit status, what was
written, and that nothing is left running.
"""

import json
import os
import signal
import stat
import subprocess
import tempfile
import time
import unittest

import mpbtest
from mpbtest import load_results

QUICK = ["run", "-w", "null", "-s", "0", "-t", "4", "-j", "1", "-r", "1", "--max-runs", "1",
         "--warmup", "0", "--no-ceiling", "--quiet"]
TIMEOUT = mpbtest.bound(120)


class Outputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # orphans of a broken mpbench become our children, where tearDown sees them
        mpbtest.become_subreaper()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mpbench-out-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.tmp])

    def tearDown(self):
        left = mpbtest.our_children()
        mpbtest.kill_and_reap(left)
        self.assertEqual(left, [], "processes left running")

    def run_mpb(self, args, **kw):
        return mpbtest.mpbench(args, self.tmp, TIMEOUT, **kw)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def sigint_sleep_run(self, size, tasks, out, after_s, preexec_fn=None):
        """A `run` of sleep tasks sent SIGINT after after_s seconds (not a
        bound: the run lasts longer); its exit status and stderr."""
        h = mpbtest.popen(["run", "-w", "sleep", "-s", size, "-t", str(tasks), "-j", "1",
                           "-r", "1", "--warmup", "0", "--no-ceiling", "--quiet", "-o", out],
                          cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, preexec_fn=preexec_fn)
        try:
            time.sleep(after_s)
            h.send_signal(signal.SIGINT)
            _, err = h.communicate(timeout=TIMEOUT)
        finally:
            mpbtest.kill_and_reap([h.pid])
        return h.returncode, err

    def no_tmp_left(self):
        left = [n for n in os.listdir(self.tmp) if ".tmp." in n]
        self.assertEqual(left, [], "temporary files left behind")

    def char_device(self, name, like):
        """A character device with the numbers of /dev/<like>, made here when
        root may mknod (a private copy); else /dev/<like> itself."""
        real = "/dev/" + like
        st = os.stat(real)
        p = self.path(name)
        try:
            os.mknod(p, 0o666 | stat.S_IFCHR, st.st_rdev)
            return p
        except (PermissionError, OSError):
            return real

    def test_character_device_is_written_through(self):
        dev = self.char_device("null", "null")
        p = self.run_mpb(QUICK + ["-o", dev])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat(dev).st_mode), "the device was replaced")
        self.no_tmp_left()

    def test_full_device_fails(self):
        dev = self.char_device("full", "full")
        p = self.run_mpb(QUICK + ["-o", dev])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("No space left", p.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat(dev).st_mode), "the device was replaced")
        self.no_tmp_left()

    def test_dash_is_stdout(self):
        p = self.run_mpb(QUICK + ["-o", "-"])
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["status"], "complete")
        self.assertFalse(os.path.exists(self.path("-")))

    def test_dash_sends_the_table_to_stderr(self):
        args = [a for a in QUICK if a != "--quiet"]
        p = self.run_mpb(args + ["-o", "-"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["status"], "complete")
        self.assertRegex(p.stderr, r"(?m)^results: -$")
        p = self.run_mpb(args + ["-o", "-", "--format", "csv"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("both write to standard output", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_unwritable_stdout_fails(self):
        with open("/dev/full", "w") as full:
            for args in (["list"], [a for a in QUICK if a != "--quiet"] + ["-o", "r.json"]):
                p = subprocess.run(mpbtest.command() + args, cwd=self.tmp, stdout=full,
                                   stderr=subprocess.PIPE, text=True,
                                   timeout=TIMEOUT)
                self.assertEqual(p.returncode, 1, "%s: %s" % (args, p.stderr))
                self.assertIn("writing to standard output failed", p.stderr)

    def test_inherited_ignored_sigint_stays_ignored(self):
        """A background job (SIGINT ignored by the shell) is not ended by the
        Ctrl-C meant for the foreground."""
        out = self.path("bg.json")
        rc, err = self.sigint_sleep_run("300ms", 2, out, 0.2,
                                        lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        self.assertEqual(rc, 0, err)
        self.assertEqual(load_results(out)["status"], "complete")

    def test_fifo(self):
        fifo = self.path("ff")
        os.mkfifo(fifo)
        p = self.run_mpb(QUICK + ["-o", fifo])
        self.assertEqual(p.returncode, 2)
        self.assertIn("FIFO with no reader", p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        # with a reader: one whole document comes through, the FIFO stays
        reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE)
        try:
            # the reader must have opened its end before mpbench opens its own
            for _ in range(1000):
                if os.path.exists("/proc/%d/fd" % reader.pid) and any(
                        os.path.realpath("/proc/%d/fd/%s" % (reader.pid, f)) == fifo
                        for f in os.listdir("/proc/%d/fd" % reader.pid)):
                    break
                time.sleep(0.01)
            p = self.run_mpb(QUICK + ["-o", fifo])
            out, _ = reader.communicate(timeout=TIMEOUT)
        finally:
            mpbtest.kill_and_reap([reader.pid])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(out)["status"], "complete")
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))

    def test_links_and_directories(self):
        target = self.path("real.json")
        with open(target, "w") as f:
            f.write("old\n")
        os.chmod(target, 0o600)
        link = self.path("link.json")
        os.symlink("real.json", link)
        p = self.run_mpb(QUICK + ["-o", link])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.islink(link), "the link was replaced")
        self.assertEqual(load_results(target)["status"], "complete")
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600, "mode not kept")
        os.symlink("nowhere.json", self.path("dangling.json"))
        p = self.run_mpb(QUICK + ["-o", self.path("dangling.json")])
        self.assertEqual(p.returncode, 2)
        self.assertIn("symbolic link to nothing", p.stderr)
        self.assertFalse(os.path.exists(self.path("nowhere.json")))
        p = self.run_mpb(QUICK + ["-o", self.tmp])
        self.assertEqual(p.returncode, 2)
        self.assertIn("is a directory", p.stderr)
        self.no_tmp_left()

    def test_stale_tmp_of_a_dead_mpbench_is_removed(self):
        dead = subprocess.Popen(["true"])
        dead.wait()
        stale = self.path("r.json.tmp.%d" % dead.pid)
        with open(stale, "w") as f:
            f.write("{")
        p = self.run_mpb(QUICK + ["-o", self.path("r.json")])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(stale), "stale temporary file kept")
        self.no_tmp_left()

    def test_second_writer_is_refused(self):
        out = self.path("same.json")
        first = mpbtest.popen(["sweep", "-w", "sleep", "-s", "200ms", "-t", "4", "-j", "1",
                               "-r", "2", "--max-runs", "2", "--warmup", "0", "--no-ceiling",
                               "--quiet", "-o", out], cwd=self.tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.3)  # not a bound: the first is still running for seconds
            second = self.run_mpb(QUICK + ["-o", out])
            _, err1 = first.communicate(timeout=TIMEOUT)
        finally:
            mpbtest.kill_and_reap([first.pid])
        self.assertEqual(second.returncode, 2, second.stderr)
        self.assertIn("another mpbench is writing", second.stderr)
        self.assertEqual(first.returncode, 0, err1)
        self.assertEqual(load_results(out)["points"][0]["workload"], "sleep")
        self.no_tmp_left()

    def test_concurrent_default_names_differ(self):
        procs = [mpbtest.popen(QUICK, cwd=self.tmp, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True) for _ in range(3)]
        for pr in procs:
            _, err = pr.communicate(timeout=TIMEOUT)
            self.assertEqual(pr.returncode, 0, err)
        files = sorted(os.listdir(self.path("results")))
        self.assertEqual(len(files), 3, files)
        for name in files:
            self.assertEqual(load_results(self.path("results/" + name))["status"], "complete")

    def test_early_interrupt_keeps_previous_results(self):
        out = self.path("prev.json")
        p = self.run_mpb(QUICK + ["-o", out])
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            before = f.read()
        # tasks of seconds: the interrupt comes before any run is complete
        rc, err = self.sigint_sleep_run("5s", 1, out, 0.5)
        self.assertEqual(rc, 130, err)
        self.assertIn("previous", err)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), before, "the previous results were replaced")
        self.no_tmp_left()

    def test_report_refuses_shared_directory_and_links(self):
        res = self.path("r.json")
        p = self.run_mpb(QUICK + ["-o", res])
        self.assertEqual(p.returncode, 0, p.stderr)
        shared = self.path("shared")
        os.mkdir(shared)
        os.chmod(shared, 0o1777)
        p = self.run_mpb(["report", res, "-o", shared])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("writable by other users", p.stderr)
        self.assertEqual(os.listdir(shared), [])
        mine = self.path("mine")
        os.mkdir(mine, 0o755)
        victim = self.path("victim.txt")
        with open(victim, "w") as f:
            f.write("keep\n")
        os.symlink(victim, os.path.join(mine, "index.md"))
        p = self.run_mpb(["report", res, "-o", mine])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("symbolic link", p.stderr)
        with open(victim) as f:
            self.assertEqual(f.read(), "keep\n", "report wrote through a planted link")


if __name__ == "__main__":
    unittest.main(verbosity=2)

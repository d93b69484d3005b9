#!/usr/bin/env python3
"""test_progress.py — integration tests of the progress display
(harness/cli/progress_bar.h) against the built binary: with standard error
on a pseudo-terminal the bar is drawn in place, the item running in words,
and the line cleared at the end; on a pipe nothing, unless --progress asks,
and then whole lines; --quiet and --no-progress silence it; `tune` leaves
one labelled line per phase. A sweep whose run count is fixed (no adaptive
sampling) shows the exact total from the start and ends with the number of
runs its results hold.

Standard library only (pty). No timing: the sweeps are tiny and only what
is drawn is checked.
"""

import fcntl
import os
import pty
import re
import struct
import subprocess
import tempfile
import termios
import unittest

import mpbtest
from mpbtest import load_results

RUN_TIMEOUT_S = 180
COLUMNS = 100

# a tiny sweep with a fixed number of runs: -r 2 and --max-runs 2, no
# warm-up, no ceilings
FIXED = ["sweep", "-w", "null", "-s", "0", "-t", "20", "-j", "1,2", "-r", "2",
         "--max-runs", "2", "--warmup", "0", "--counters", "none", "--no-ceiling"]

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STEP = re.compile(r"(\d+)/(~?)(\d+) runs  ETA (\S+)")


def on_pty(args, cwd, env_extra=None):
    """Run mpbench with standard error on a pseudo-terminal of COLUMNS
    columns (standard output a pipe); return (rc, stdout, what the terminal
    got)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, COLUMNS, 0, 0))
    # what mpbench writes, byte for byte: no "\n" -> "\r\n"
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    env["LANG"] = "C.UTF-8"
    env.pop("LC_ALL", None)
    env.update(env_extra or {})
    p = subprocess.Popen(mpbtest.command() + args, cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    out, _ = p.communicate(timeout=mpbtest.bound(RUN_TIMEOUT_S))
    return p.returncode, out.decode(), got.decode("utf-8", "replace")


def runs_in(doc):
    """Every run the results hold: points', baselines' and ceilings' measured
    runs."""
    return sum(len(item["runs"]) for key in ("points", "baselines", "ceilings")
               for item in doc.get(key, []))


class Progress(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mpb-progress-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_bar_on_a_terminal(self):
        rc, out, tty = on_pty(FIXED + ["-o", "r.json"], self.dir)
        self.assertEqual(rc, 0, tty)
        self.assertIn("results: r.json", out)
        doc = load_results(os.path.join(self.dir, "r.json"))
        n = runs_in(doc)
        # drawn in place, each redraw clearing the rest of the line
        self.assertTrue(tty.startswith("\r"), repr(tty[:80]))
        self.assertIn("\x1b[K", tty)
        steps = STEP.findall(tty)
        self.assertTrue(steps, repr(tty))
        for done, tilde, total, _eta in steps:
            # the count is fixed: exact from the start, no "~", no jump
            self.assertEqual(tilde, "", repr(tty))
            self.assertEqual(int(total), n)
            self.assertLess(int(done), n)
        self.assertRegex(tty, "[\u2588\u2591]{20}")  # the bar, in blocks (UTF-8)
        self.assertRegex(tty, r"null 0 fork -j [12]|null 0 serial")
        # every drawn line fits the terminal (the warnings are not drawn)
        for line in re.split(r"[\r\n]", ANSI.sub("", tty)):
            if not line.startswith("mpbench:"):
                self.assertLess(len(line), COLUMNS, repr(line))
        # and the line is cleared at the end: the terminal as it was
        last = tty.rfind("runs  ETA")
        self.assertIn("\r\x1b[K", tty[last:])
        self.assertNotIn("runs in", tty)

    def test_nothing_on_a_pipe(self):
        p = mpbtest.mpbench(FIXED + ["-o", "r.json"], self.dir, RUN_TIMEOUT_S)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotRegex(p.stderr, STEP)
        self.assertNotIn("runs in", p.stderr)
        self.assertNotIn("\r", p.stderr)
        self.assertNotIn("\x1b", p.stderr)

    def test_quiet_and_no_progress_on_a_terminal(self):
        for flag in ("--quiet", "--no-progress"):
            rc, _out, tty = on_pty(FIXED + [flag, "-o", "r.json"], self.dir)
            self.assertEqual(rc, 0, tty)
            self.assertNotRegex(tty, STEP)
            self.assertNotIn("runs in", tty, flag)
            self.assertNotIn("\r", tty, flag)
        # --quiet wins over --progress
        rc, _out, tty = on_pty(FIXED + ["--quiet", "--progress", "-o", "r.json"], self.dir)
        self.assertEqual(rc, 0, tty)
        self.assertNotRegex(tty, STEP)
        self.assertEqual(tty, "")  # nothing at all: no warnings either

    def test_progress_forced_on_a_pipe(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
        env["LANG"] = "C"
        p = mpbtest.mpbench(FIXED + ["--progress", "-o", "r.json"], self.dir, RUN_TIMEOUT_S,
                            env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(os.path.join(self.dir, "r.json"))
        # whole lines, no terminal controls, an ASCII bar outside UTF-8; the
        # last says how many runs
        self.assertNotIn("\r", p.stderr)
        self.assertNotIn("\x1b", p.stderr)
        lines = [l for l in p.stderr.splitlines() if not l.startswith("mpbench:")]
        self.assertTrue(STEP.search(lines[0]), lines)
        self.assertRegex(lines[-1], r"^#+  %d runs in \d+:\d\d$" % runs_in(doc))

    def test_adaptive_total_is_an_estimate(self):
        rc, _out, tty = on_pty(["sweep", "-w", "null", "-s", "0", "-t", "20", "-j", "1",
                                "-r", "2", "--max-runs", "6", "--warmup", "1",
                                "--counters", "none", "--no-ceiling", "-o", "r.json"],
                               self.dir)
        self.assertEqual(rc, 0, tty)
        steps = STEP.findall(tty)
        self.assertTrue(steps, repr(tty))
        self.assertIn("warm-up null 0", tty)
        for done, tilde, total, _eta in steps:
            self.assertEqual(tilde, "~")
            # at most --max-runs per item and the warm-up
            self.assertLessEqual(int(total), 2 * (6 + 1))
            self.assertLess(int(done), int(total))

    def test_tune_one_line_per_phase(self):
        rc, _out, tty = on_pty(["tune", "-w", "null", "-s", "0", "-t", "20", "-r", "2",
                                "--max-runs", "2", "--warmup", "0", "--counters", "none",
                                "--no-ceiling", "-o", "r.json"], self.dir)
        self.assertEqual(rc, 0, tty)
        doc = load_results(os.path.join(self.dir, "r.json"))
        ends = re.findall(r"\r(0 [a-z][^\r\n\x1b]*?)  \S+  (\d+) runs? in \d+:\d\d\x1b\[K\n",
                          tty)
        labels = [label for label, _n in ends]
        # one line per phase that `tune` recorded, labelled, in order
        self.assertEqual(len(labels), len(doc["tune"]["phases"]), repr(tty))
        self.assertEqual(labels[0], "0 coarse")
        for k, label in enumerate(labels[1:], 1):
            self.assertEqual(label, "0 refine %d" % k)
        # the phases' runs add up to every run of the results
        self.assertEqual(sum(int(n) for _l, n in ends), runs_in(doc))


if __name__ == "__main__":
    unittest.main()

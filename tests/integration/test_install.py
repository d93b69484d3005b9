#!/usr/bin/env python3
"""test_install.py — `meson install` gives a working installation, and the
help, the man page and the shell completions agree with the option table.

The build tree ($MPB_BUILD_ROOT, set by tests/meson.build) is installed with
`meson install --destdir` into a temporary directory, and the installed prefix
is then moved elsewhere as a whole, so that nothing can be found through a
path compiled into the binary. From another working directory, with
$MPBENCH_WORKER and $MPBENCH_PLOTS_DIR unset, the moved mpbench runs a sweep
with the spawn method (the worker must come from libexec/mpbench: bin/ holds
mpbench alone), `report` (with the installed templates: a marker added to the
moved copy of speedup.gp must reach the report's script) and `compare`.

Consistency: every (command, option) of the option table, as
mpbench-gendoc lists it ($MPBENCH_GENDOC), appears in `mpbench COMMAND
--help` and `mpbench help COMMAND`, in the installed man page under that
command's heading, and in the installed bash and zsh completions within that
command's branch; every command appears in `mpbench --help`, the man page
and both completions. The bash completion is parsed by `bash -n` and
exercised through `complete -p` / COMPREPLY.

Standard library only (gnuplot for the rendered plots; without it the report
still writes its scripts, which is what is checked).
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import mpbtest

BUILD_ROOT = os.environ.get("MPB_BUILD_ROOT", "")
GENDOC = os.environ.get("MPBENCH_GENDOC", "")
RUN_TIMEOUT_S = 300  # hang detection only
MARKER = "# mpbench test_install: the installed template"


def clean_env():
    env = dict(os.environ)
    for k in ("MPBENCH_WORKER", "MPBENCH_PLOTS_DIR"):
        env.pop(k, None)
    return env


def find_prefix(destdir):
    """The installed prefix under destdir: the directory holding bin/mpbench."""
    for root, dirs, files in os.walk(destdir):
        if os.path.basename(root) == "bin" and "mpbench" in files:
            return os.path.dirname(root)
    raise AssertionError("no bin/mpbench under " + destdir)


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BUILD_ROOT:
            raise unittest.SkipTest("MPB_BUILD_ROOT is not set (run through meson test)")
        cls.tmp = tempfile.mkdtemp(prefix="mpb-install-")
        dest = os.path.join(cls.tmp, "dest")
        r = subprocess.run(["meson", "install", "-C", BUILD_ROOT, "--no-rebuild", "--quiet",
                            "--destdir", dest], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=RUN_TIMEOUT_S)
        if r.returncode != 0:
            raise AssertionError("meson install failed:\n" + r.stdout)
        # move the installed prefix as a whole: only relative lookups can work
        cls.prefix = os.path.join(cls.tmp, "moved", "opt", "mpb")
        shutil.copytree(find_prefix(dest), cls.prefix, symlinks=True)
        shutil.rmtree(dest)
        cls.exe = os.path.join(cls.prefix, "bin", "mpbench")
        cls.work = os.path.join(cls.tmp, "work")
        os.makedirs(cls.work)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.prefix, *parts)

    def run_installed(self, args):
        return mpbtest.mpbench(args, cwd=self.work, timeout=RUN_TIMEOUT_S, exe=self.exe,
                               env=clean_env())

    def test_layout(self):
        self.assertEqual(sorted(os.listdir(self.path("bin"))), ["mpbench"])
        worker = self.path("libexec", "mpbench", "mpbench-worker")
        self.assertTrue(os.access(worker, os.X_OK), worker)
        for gp in ("speedup", "efficiency", "overhead", "serialization", "startup",
                   "startup_rss", "ctxsw", "ipc"):
            self.assertTrue(os.path.isfile(self.path("share", "mpbench", "plots", gp + ".gp")),
                            gp)
        for f in (("share", "man", "man1", "mpbench.1"),
                  ("share", "bash-completion", "completions", "mpbench"),
                  ("share", "zsh", "site-functions", "_mpbench")):
            self.assertGreater(os.path.getsize(self.path(*f)), 0, f)

    def test_sweep_report_compare(self):
        with open(self.path("share", "mpbench", "plots", "speedup.gp"), "a") as f:
            f.write("\n" + MARKER + "\n")
        out = os.path.join(self.work, "a.json")
        r = self.run_installed(["sweep", "-w", "null", "-j", "1,2", "-m", "fork,spawn",
                                "-t", "20", "-r", "2", "--max-runs", "2", "--no-ceiling",
                                "--counters", "none", "-q", "-o", out])
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = mpbtest.load_results(out)
        points = doc["points"]
        spawned = [p for p in points if p["method"] == "spawn"]
        self.assertEqual(len(spawned), 2)
        for p in points:
            self.assertFalse(p.get("error"), p.get("error"))
            self.assertEqual(p["summary"]["wall_ns"]["n"], 2)

        rep = os.path.join(self.work, "rep")
        r = self.run_installed(["report", out, "-o", rep])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(rep, "speedup.gp")) as f:
            self.assertIn(MARKER, f.read())
        self.assertTrue(os.path.isfile(os.path.join(rep, "index.html")))

        r = self.run_installed(["compare", out, out, "--format", "json"])
        self.assertEqual(r.returncode, 0, r.stderr)
        cmp = json.loads(r.stdout)
        self.assertEqual(cmp["schema"], "mpbench.compare/1")
        self.assertEqual(len(cmp["points"]), len(points))

    # ---- help, man page and completions against the option table ----

    def table(self):
        if not GENDOC:
            self.skipTest("MPBENCH_GENDOC is not set (run through meson test)")
        r = subprocess.run([GENDOC, "options"], stdout=subprocess.PIPE, text=True,
                           timeout=RUN_TIMEOUT_S, check=True)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        self.assertGreater(len(rows), 30)
        by_cmd = {}
        for cmd, name, short in rows:
            by_cmd.setdefault(cmd, []).append((name, None if short == "-" else short))
        return by_cmd

    def commands(self):
        r = self.run_installed(["--help"])
        self.assertEqual(r.returncode, 0, r.stderr)
        cmds = re.findall(r"^  (\w+) ", r.stdout, re.M)
        self.assertIn("sweep", cmds)
        return cmds

    def test_help_lists_every_option(self):
        table = self.table()
        self.assertEqual(sorted(table), sorted(self.commands()))
        for cmd, opts in table.items():
            for how in ([cmd, "--help"], ["help", cmd]):
                r = self.run_installed(how)
                self.assertEqual(r.returncode, 0, r.stderr)
                for name, short in opts:
                    self.assertRegex(r.stdout, r"(^|\s)%s\b" % re.escape(name), (how, name))
                    if short:
                        self.assertRegex(r.stdout, r"(^|\s)%s, %s\b" % (short, re.escape(name)))

    def man_sections(self):
        with open(self.path("share", "man", "man1", "mpbench.1")) as f:
            text = f.read().replace("\\-", "-")
        self.assertTrue(text.startswith(".\\\"") or text.startswith(".TH"))
        sections = {}
        for part in re.split(r"^\.SS ", text, flags=re.M)[1:]:
            m = re.match(r'"mpbench (\w+)', part)
            if m:
                sections[m.group(1)] = part
        return sections

    def test_man_page_has_every_option(self):
        table = self.table()
        sections = self.man_sections()
        for cmd in self.commands():
            self.assertIn(cmd, sections)
        for cmd, opts in table.items():
            for name, short in opts:
                self.assertIn("\\fB%s\\fR" % name, sections[cmd], (cmd, name))
                if short:
                    self.assertIn("\\fB%s\\fR, \\fB%s\\fR" % (short, name), sections[cmd])

    def test_bash_completion_has_every_option(self):
        path = self.path("share", "bash-completion", "completions", "mpbench")
        subprocess.run(["bash", "-n", path], check=True, timeout=RUN_TIMEOUT_S)
        with open(path) as f:
            text = f.read()
        table = self.table()
        for cmd in self.commands():
            self.assertRegex(text, re.compile(r"^    %s\)$" % cmd, re.M), cmd)
        for cmd, opts in table.items():
            m = re.search(r'^    %s\)\n.*?opts="([^"]*)"' % cmd, text, re.M | re.S)
            self.assertIsNotNone(m, cmd)
            words = m.group(1).split()
            for name, short in opts:
                self.assertIn(name, words, (cmd, name))
                if short:
                    self.assertIn(short, words, (cmd, short))
        # and bash completes with it: options of a command, values of --format
        def complete(*words):
            script = ('source %s; COMP_WORDS=(mpbench %s); COMP_CWORD=%d; _mpbench; '
                      'printf "%%s\\n" "${COMPREPLY[@]}"' %
                      (path, " ".join("'%s'" % w for w in words), len(words)))
            r = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, text=True,
                               timeout=RUN_TIMEOUT_S, cwd=self.work)
            self.assertEqual(r.returncode, 0)
            return r.stdout.split()
        self.assertIn("compare", complete("comp"))
        self.assertEqual(complete("compare", "--thr"), ["--threshold"])
        self.assertEqual(sorted(complete("report", "--format", "")), ["csv", "json", "md"])

    def test_zsh_completion_has_every_option(self):
        with open(self.path("share", "zsh", "site-functions", "_mpbench")) as f:
            text = f.read()
        self.assertTrue(text.startswith("#compdef mpbench\n"))
        table = self.table()
        for cmd in self.commands():
            self.assertRegex(text, re.compile(r"^    '%s:" % cmd, re.M), cmd)
        for cmd, opts in table.items():
            m = re.search(r"^  %s\)\n    _arguments(.*?);;" % cmd, text, re.M | re.S)
            self.assertIsNotNone(m, cmd)
            for name, short in opts:
                if short:
                    self.assertIn("{%s,%s}'[" % (short, name), m.group(1), (cmd, name))
                else:
                    self.assertIn("'%s[" % name, m.group(1), (cmd, name))
        if shutil.which("zsh"):
            subprocess.run(["zsh", "-n", f.name], check=True, timeout=RUN_TIMEOUT_S)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""test_report.py — integration tests of `mpbench report`, `mpbench compare`
and `sweep --format`, run against the built binary ($MPBENCH) on the stored
sample results in results/samples/.

Covers: a report of every sample has every expected file, non-empty, PNGs that
are PNG files and SVGs that are SVG; gnuplot runs every script without a word
on stderr; index.html is self-contained; the IPC plot is left out with the
reason; the Markdown and CSV tables agree with the JSON table field by field,
and the JSON table with the results files themselves; `sweep --format csv`
prints the same table as the report of its own results; without gnuplot the
data and scripts are still written, the message says how to render them and
the exit status is 0; bad input (truncated, wrong schema, malformed, missing)
exits 2 naming the file. `compare` on crafted pairs: identical -> exit 0,
unchanged where the ratio's CI lies within the threshold and inconclusive
where it reaches past it, with each file's noise warnings under the table; a
30% slowdown of one point -> exit 3 naming it; a noisy overlap ->
inconclusive; different schema or nothing in common -> exit 2; different
machines -> a warning.

Standard library only. gnuplot must be installed (scripts/setup.sh does it).
"""

import copy
import csv
import io
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import unittest

import mpbtest
from mpbtest import MPBENCH
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.normpath(os.path.join(HERE, "..", "..", "results", "samples"))
SAMPLE_FILES = ["sumsq-fork-thread.json", "null-chunks.json", "null-parent-rss.json",
                "sumsq-methods-ceiling.json", "sumsq-sizes-floors.json"]

RUN_TIMEOUT_S = 180  # hang detection only

PLOTS = ["speedup", "efficiency", "overhead", "serialization", "startup", "startup_rss", "ctxsw",
         "floors"]

# Markdown column titles -> the field they show (harness/output/export_md.c)
MD_TITLES = {
    "file": "source", "workload": "workload", "size": "size", "tasks": "tasks",
    "method": "method", "codec": "codec", "transport": "transport", "chunk": "chunksize",
    "parent RSS": "parent_rss", "workers": "workers", "runs": "runs",
    "wall": "wall_median_ns", "±CI": "wall_ci_pct", "speedup": "speedup",
    "speedup CI low": "speedup_ci_lo", "speedup CI high": "speedup_ci_hi",
    "efficiency": "efficiency", "ceiling": "ceiling_speedup", "vs ceiling": "speedup_vs_ceiling",
    "overhead/task": "overhead_per_task_ns", "codec share": "serialization_fraction",
    "start-up/worker": "startup_per_worker_ns", "start-up/floor": "startup_per_worker_floors",
    "teardown/floor": "teardown_per_worker_floors", "PSS/worker": "worker_pss_bytes",
    "IPC": "ipc", "vol. cs/task": "worker_voluntary_cs_per_task",
    "invol. cs/task": "worker_involuntary_cs_per_task", "error": "error",
}
# fractions the Markdown shows as percentages
FRACTION_PCT = {"vs ceiling", "codec share"}
# human units -> the factor back to the raw value
HUMAN = {" ns": 1.0, " µs": 1e3, " ms": 1e6, " s": 1e9, " B": 1.0, " KiB": 1024.0,
         " MiB": 1048576.0, " GiB": 1073741824.0, "x": 1.0, "%": 1.0,
         "k": 1e3, "M": 1e6, "G": 1e9, "KiB": 1024.0, "MiB": 1048576.0, "GiB": 1073741824.0}


def parse_human(text):
    """A Markdown cell ("4.21 ms", "1.85x", "2M", "64 MiB", "85%") as a number
    in base units."""
    for suffix in sorted(HUMAN, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * HUMAN[suffix]
    return float(text)

# Export field -> where the results file has it (the table's definition,
# stated independently here)
PATHS = {
    "id": "id", "workload": "workload", "size": "size", "tasks": "tasks", "method": "method",
    "codec": "codec", "transport": "transport", "chunk_strategy": "chunk_strategy",
    "chunksize": "chunksize", "parent_rss": "parent_rss", "workers": "workers",
    "runs": "summary.wall_ns.n", "wall_median_ns": "summary.wall_ns.median",
    "wall_ci_lo_ns": "summary.wall_ns.ci95.0", "wall_ci_hi_ns": "summary.wall_ns.ci95.1",
    "startup_median_ns": "summary.startup_ns.median", "map_median_ns": "summary.map_ns.median",
    "teardown_median_ns": "summary.teardown_ns.median",
    "compute_median_ns": "summary.compute_ns.median",
    "codec_parent_median_ns": "summary.codec_parent_ns.median",
    "codec_workers_median_ns": "summary.codec_workers_ns.median",
    "speedup": "derived.speedup", "speedup_ci_lo": "derived.speedup_ci95.0",
    "speedup_ci_hi": "derived.speedup_ci95.1", "efficiency": "derived.efficiency",
    "karp_flatt": "derived.karp_flatt", "ceiling_speedup": "derived.ceiling_speedup",
    "speedup_vs_ceiling": "derived.speedup_vs_ceiling",
    "overhead_per_task_ns": "derived.overhead_per_task_ns",
    "serialization_fraction": "derived.serialization_fraction",
    "startup_per_worker_ns": "derived.startup_per_worker_ns",
    "startup_per_worker_floors": "derived.startup_per_worker_floors",
    "startup_per_worker_cold_floors": "derived.startup_per_worker_cold_floors",
    "teardown_per_worker_ns": "derived.teardown_per_worker_ns",
    "teardown_per_worker_floors": "derived.teardown_per_worker_floors",
    "instrumentation_fraction": "derived.instrumentation_fraction",
    "worker_pss_bytes": "derived.worker_pss_bytes", "ipc": "derived.ipc",
    "context_switches_per_task": "derived.context_switches_per_task", "error": "error",
    "error_kind": "error_kind",
}


def mpbench(args, cwd, env=None):
    return mpbtest.mpbench(args, cwd, RUN_TIMEOUT_S, env=env)


def at(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            i = int(part)
            obj = obj[i] if i < len(obj) else None
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


def computed(point, name):
    """The fields the table computes, recomputed here from the point."""
    if name == "wall_ci_pct":
        s = point["summary"]["wall_ns"]
        return 100.0 * (s["ci95"][1] - s["ci95"][0]) / 2 / s["median"]
    key = {"worker_voluntary_cs_per_task": "voluntary_context_switches",
           "worker_involuntary_cs_per_task": "involuntary_context_switches"}[name]
    per_run = [sum(w[key] for w in r["workers_detail"]) / point["tasks"]
               for r in point["runs"] if r.get("workers_detail")]
    return statistics.median(per_run)


def parse_md_table(text):
    """The first Markdown table in text: (header cells, rows of cells)."""
    lines = [l for l in text.splitlines() if l.startswith("|")]
    def cells(line):
        out, cur, i = [], "", 1
        while i < len(line):
            c = line[i]
            if c == "\\" and i + 1 < len(line):
                cur += line[i + 1]
                i += 2
                continue
            if c == "|":
                out.append(cur.strip())
                cur = ""
            else:
                cur += c
            i += 1
        return out
    head = cells(lines[0])
    rows = [cells(l) for l in lines[2:]]
    return head, rows


class ReportTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="mpbench-report-")
        self.tmp = self._tmp.name
        self.addCleanup(self._tmp.cleanup)

    def assert_rc(self, p, rc, what):
        self.assertEqual(p.returncode, rc, "%s: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s"
                         % (what, p.returncode, rc, p.stdout, p.stderr))

    def assert_rejected(self, command, cases):
        """Each (args, needles): exit 2, one error naming every needle, nothing
        on stdout, nothing written."""
        for args, needles in cases:
            before = sorted(os.listdir(self.tmp))
            p = mpbench([command] + args, self.tmp)
            self.assert_rc(p, 2, "%s %s" % (command, args))
            self.assertEqual(p.stdout, "")
            self.assertEqual(p.stderr.count("mpbench: error:"), 1, p.stderr)
            for n in needles:
                self.assertIn(n, p.stderr)
            self.assertEqual(sorted(os.listdir(self.tmp)), before, "wrote something")

    def sample(self, name):
        return os.path.join(SAMPLES, name)

    def copy_sample(self, name, edit=None, new_name=None):
        with open(self.sample(name), encoding="utf-8") as f:
            doc = json.load(f)
        if edit:
            edit(doc)
        path = os.path.join(self.tmp, new_name or name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return path, doc

    # ---- the report ----

    def test_speedup_plot_draws_the_ceiling(self):
        """The reference sample has ceilings: the speedup data carries a ceiling
        block whose values are the file's derived ceiling_speedup per worker
        count, and the plot script draws it."""
        name = "sumsq-methods-ceiling.json"
        with open(self.sample(name), encoding="utf-8") as f:
            doc = json.load(f)
        want = {}
        for pt in doc["points"]:
            cs = pt["derived"].get("ceiling_speedup")
            self.assertIsNotNone(cs, "point %d has no ceiling_speedup" % pt["id"])
            want[pt["workers"]] = cs
        out = os.path.join(self.tmp, "rep")
        p = mpbench(["report", self.sample(name), "-o", out], self.tmp)
        self.assert_rc(p, 0, "report")
        with open(os.path.join(out, "speedup.dat"), encoding="utf-8") as f:
            blocks = f.read().split("\n\n\n")
        ceil = [b for b in blocks
                if any(l.startswith("# block") and ": ceiling" in l for l in b.splitlines())]
        self.assertEqual(len(ceil), 1, "one ceiling block in speedup.dat")
        got = {}
        for line in ceil[0].splitlines():
            if line and not line.startswith("#"):
                fields = line.split()
                got[int(fields[0])] = float(fields[1])
        self.assertEqual(sorted(got), sorted(want))
        for w, v in want.items():
            self.assertAlmostEqual(got[w], v, places=6, msg="ceiling at %d workers" % w)
        with open(os.path.join(out, "speedup.gp"), encoding="utf-8") as f:
            self.assertIn("ceiling", f.read())

    def test_report_files_and_rendering(self):
        out = os.path.join(self.tmp, "rep")
        p = mpbench(["report"] + [self.sample(s) for s in SAMPLE_FILES] + ["-o", out], self.tmp)
        self.assert_rc(p, 0, "report")
        self.assertNotIn("warning", p.stderr.lower(), "gnuplot warned:\n" + p.stderr)
        self.assertIn("index.html", p.stdout)
        for name in ["index.md", "index.html", "points.csv"]:
            self.assertGreater(os.path.getsize(os.path.join(out, name)), 0, name)
        for plot in PLOTS:
            for ext in ("dat", "gp", "png", "svg"):
                path = os.path.join(out, plot + "." + ext)
                self.assertTrue(os.path.isfile(path), path)
                self.assertGreater(os.path.getsize(path), 0, path)
            with open(os.path.join(out, plot + ".png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", plot + ".png is no PNG")
            with open(os.path.join(out, plot + ".svg"), encoding="utf-8") as f:
                svg = f.read()
            self.assertIn("<svg", svg)
            self.assertTrue(svg.rstrip().endswith("</svg>"), plot + ".svg is cut short")
        # no counters on this machine: IPC is left out, and the index says why
        self.assertFalse(os.path.exists(os.path.join(out, "ipc.gp")))
        with open(os.path.join(out, "index.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("## Plots left out", md)
        self.assertIn("Instructions per cycle vs workers: no point has an IPC figure", md)
        for plot in PLOTS:
            self.assertIn("](%s.png)" % plot, md)
        # self-contained HTML: every image inline, nothing fetched
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertEqual(html.count('src="data:image/png;base64,'), len(PLOTS))
        self.assertNotIn('src="http', html)
        self.assertNotIn("<link", html)
        # the scripts run again, by hand, without a word on stderr
        for plot in PLOTS:
            g = subprocess.run(["gnuplot", plot + ".gp"], cwd=out, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
            self.assertEqual(g.returncode, 0, plot + ": " + g.stderr)
            self.assertEqual(g.stderr, "", "%s.gp: gnuplot said:\n%s" % (plot, g.stderr))
        self.assertEqual(sorted(f for f in os.listdir(out) if f.endswith(".log")), [])

    def test_tables_agree(self):
        files = [self.sample(s) for s in SAMPLE_FILES]
        outs = {}
        for fmt in ("json", "csv", "md"):
            p = mpbench(["report"] + files + ["--format", fmt], self.tmp)
            self.assert_rc(p, 0, "report --format " + fmt)
            outs[fmt] = p.stdout
        self.assertEqual(os.listdir(self.tmp), [], "--format alone writes no directory")
        table = json.loads(outs["json"])
        self.assertEqual(table["schema"], "mpbench.report/1")
        self.assertEqual(table["table"], "points")
        rows = table["rows"]
        # every column with a unit says it, and only columns that are there
        self.assertEqual(table["units"]["wall_median_ns"], "ns")
        self.assertLessEqual(set(table["units"]), set().union(*(r.keys() for r in rows)))
        docs = {}
        for path in files:
            with open(path, encoding="utf-8") as f:
                docs[path] = json.load(f)
        self.assertEqual(len(rows), sum(len(d["points"]) for d in docs.values()))
        # JSON table vs the results files, field by field. The table is the
        # analysis this mpbench makes of each file's runs (export.h), the file
        # keeps the one made when it was written: the same code on the same
        # runs, so equal; except figures from counter readings, which the file
        # keeps rounded to integers (ipc, ...: about 1e-9 apart).
        counter_fields = {"ipc", "context_switches_per_task"}
        index = {}
        for row in rows:
            point = docs[row["source"]]["points"][row["id"]]
            index[(row["source"], row["id"])] = point
            for name, value in row.items():
                if name == "source":
                    continue
                if name in PATHS and PATHS[name].startswith("derived.") and \
                        PATHS[name][len("derived."):] not in point["derived"]:
                    continue  # a figure the file predates: nothing stored to agree with
                want = at(point, PATHS[name]) if name in PATHS else computed(point, name)
                if isinstance(want, float) and want is not None:
                    tol = 1e-8 if name in counter_fields else 1e-12
                    self.assertTrue(math.isclose(value, want, rel_tol=tol),
                                    "%s of %s: %r != %r" % (name, row["id"], value, want))
                else:
                    self.assertEqual(value, want, "%s of point %s" % (name, row["id"]))
        # CSV vs JSON: the same columns, the same values to the last digit
        reader = list(csv.reader(io.StringIO(outs["csv"])))
        self.assertEqual(reader[0], list(rows[0].keys()))
        self.assertEqual(len(reader) - 1, len(rows))
        for cells, row in zip(reader[1:], rows):
            for name, cell in zip(reader[0], cells):
                v = row[name]
                if v is None:
                    self.assertEqual(cell, "", name)
                elif isinstance(v, str):
                    self.assertEqual(cell, v, name)
                elif isinstance(v, int):
                    self.assertEqual(int(cell), v, name)
                else:
                    self.assertEqual(float(cell), v, name)
        # Markdown vs JSON: at most 12 columns, each a field, values in human
        # units to the shown precision (three significant digits)
        self.assertTrue(outs["md"].startswith("Every row: "), outs["md"][:200])
        head, mrows = parse_md_table(outs["md"])
        self.assertEqual(len(mrows), len(rows))
        self.assertLessEqual(len(head), 12)
        for name in ("file", "workload", "workers", "wall", "speedup"):
            self.assertIn(name, head)
        for k, h in enumerate(head):
            self.assertIn(h, MD_TITLES, "Markdown column %r is no field" % h)
            name = MD_TITLES[h]
            for cells, row in zip(mrows, rows):
                v = row[name]
                if v is None:
                    self.assertEqual(cells[k], "-", name)
                elif h == "file":
                    self.assertEqual(cells[k], v)
                elif isinstance(v, str):
                    self.assertEqual(cells[k], v.replace("\n", " "), name)
                elif h == "size" and row["workload"] == "null":
                    self.assertEqual(cells[k], "-")  # its size means nothing
                else:
                    shown = parse_human(cells[k])
                    want = v * 100 if h in FRACTION_PCT else v
                    self.assertTrue(math.isclose(shown, want, rel_tol=5e-3, abs_tol=1e-9),
                                    "%s: shown %r, JSON %r" % (name, cells[k], v))
        # the wall column is in time units
        wall = head.index("wall")
        for cells in mrows:
            self.assertRegex(cells[wall], r"^[0-9.]+ (ns|µs|ms|s)$")

    def test_fleet_of_two_labelled_sweeps(self):
        """Two real sweeps with different --label, reported together: one
        panel with a series per label, a ceiling per file, and a fleet table
        (index and fleet.csv) with a row per file."""
        files = []
        for label in ("runner-a", "runner-b"):
            path = os.path.join(self.tmp, label + ".json")
            p = mpbench(["sweep", "-w", "sumsq", "-s", "200k", "-t", "4", "-j", "1,2",
                         "-m", "fork,thread", "-r", "2", "--max-runs", "2", "--label", label,
                         "--no-progress", "-q", "-o", path], self.tmp)
            self.assert_rc(p, 0, "sweep --label " + label)
            with open(path, encoding="utf-8") as f:
                self.assertEqual(json.load(f)["label"], label)
            files.append(path)
        out = os.path.join(self.tmp, "fleet")
        p = mpbench(["report"] + files + ["-o", out], self.tmp)
        self.assert_rc(p, 0, "report of two labelled files")
        with open(os.path.join(out, "speedup.gp"), encoding="utf-8") as f:
            gp = f.read()
        self.assertNotIn("multiplot", gp, "the two files overlay in one panel")
        self.assertEqual(gp.count("\nplot "), 1)
        for label in ("runner-a", "runner-b"):
            for method in ("fork", "thread"):
                self.assertIn("title '%s %s'" % (label, method), gp)
            self.assertIn("title 'ceiling of %s'" % label, gp)
        with open(os.path.join(out, "speedup.dat"), encoding="utf-8") as f:
            blocks = [b for b in f.read().split("\n\n\n") if b.strip()]
        self.assertEqual(len(blocks), 6, "4 series and 2 ceilings")
        with open(os.path.join(out, "fleet.csv"), encoding="utf-8") as f:
            fleet = list(csv.DictReader(f))
        self.assertEqual([r["series"] for r in fleet], ["runner-a", "runner-b"])
        for r in fleet:
            self.assertEqual(r["workload"], "sumsq")
            self.assertEqual(r["size"], "200000")
            self.assertGreater(int(r["usable_cpus"]), 0)
            self.assertGreater(float(r["fork_exit_wait_ns"]), 0)
            self.assertGreater(float(r["startup_per_worker_ns_fork"]), 0)
            self.assertGreater(float(r["startup_per_worker_ns_thread"]), 0)
            self.assertIn(r["recommended_method"], ("fork", "thread", "serial"))
        with open(os.path.join(out, "index.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("## Fleet", md)
        head, rows = parse_md_table(md.split("## Fleet", 1)[1].split("\n## ", 1)[0])
        self.assertEqual(head[0], "series")
        self.assertEqual([r[0] for r in rows], ["runner-a", "runner-b"])
        # a bad label is refused before anything runs
        p = mpbench(["sweep", "-w", "null", "--label", "a'b", "-o", "x.json"], self.tmp)
        self.assert_rc(p, 2, "sweep --label a'b")
        self.assertIn("--label", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.json")))

    def test_sweep_format(self):
        p = mpbench(["sweep", "-w", "null", "-t", "100", "-j", "1", "-r", "2", "--max-runs", "2",
                     "--no-ceiling", "--no-progress", "--format", "csv", "-o", "out.json"],
                    self.tmp)
        self.assert_rc(p, 0, "sweep --format csv")
        self.assertIn("results: out.json", p.stderr)
        self.assertTrue(p.stdout.startswith("id,workload,size,"), p.stdout[:200])
        q = mpbench(["report", "out.json", "--format", "csv"], self.tmp)
        self.assert_rc(q, 0, "report --format csv")
        self.assertEqual(p.stdout, q.stdout)
        r = mpbench(["sweep", "-w", "null", "-t", "10", "-j", "1", "--format", "xml",
                     "-o", "x.json"], self.tmp)
        self.assert_rc(r, 2, "sweep --format xml")
        self.assertIn("'xml'", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.json")))

    def test_without_gnuplot(self):
        empty = os.path.join(self.tmp, "bin")
        os.mkdir(empty)
        env = dict(os.environ, PATH=empty)
        out = os.path.join(self.tmp, "r")
        p = mpbench(["report", self.sample("sumsq-fork-thread.json"), "-o", out], self.tmp, env)
        self.assert_rc(p, 0, "report without gnuplot")
        self.assertIn("gnuplot was not found", p.stdout)
        self.assertIn('for f in *.gp; do gnuplot "$f"; done', p.stdout)
        names = os.listdir(out)
        self.assertEqual([n for n in names if n.endswith((".png", ".svg"))], [])
        for plot in ["speedup", "efficiency", "overhead", "ctxsw"]:
            self.assertIn(plot + ".gp", names)
            self.assertIn(plot + ".dat", names)
        self.assertIn("index.md", names)
        # and the scripts render where they were written
        g = subprocess.run(["gnuplot", "speedup.gp"], cwd=out, capture_output=True, text=True,
                           timeout=RUN_TIMEOUT_S)
        self.assertEqual((g.returncode, g.stderr), (0, ""))
        self.assertTrue(os.path.getsize(os.path.join(out, "speedup.png")) > 0)

    def test_bad_input(self):
        src = self.sample("sumsq-fork-thread.json")
        with open(src, encoding="utf-8") as f:
            text = f.read()
        trunc = os.path.join(self.tmp, "trunc.json")
        with open(trunc, "w", encoding="utf-8") as f:
            f.write(text[: len(text) // 2])
        schema, _ = self.copy_sample("sumsq-fork-thread.json",
                                     lambda d: d.update(schema="mpbench.results/2"), "schema.json")
        def bad_speedup(d):
            d["points"][1]["derived"]["speedup"] = "fast"
        malformed, _ = self.copy_sample("sumsq-fork-thread.json", bad_speedup, "malformed.json")
        cases = [
            ([trunc], [trunc, "invalid JSON"]),
            ([schema], [schema, "mpbench.results/2"]),
            ([malformed], [malformed, "points[1].derived.speedup"]),
            ([os.path.join(self.tmp, "none.json")], ["none.json"]),
            ([src, trunc], [trunc]),
            ([], ["no results file"]),
            ([src, "--format", "xml"], ["'xml'"]),
            ([src, "-o", os.path.join(self.tmp, "no", "such", "dir")], ["no/such/dir"]),
        ]
        self.assert_rejected("report", cases)

    # ---- analyze ----

    def test_analyze_computes_the_stored_figures_again(self):
        """`analyze` reads a stored file back into the results model: its table
        and recommendations on stdout, and with -o the same runs with the
        analysis made now, which is the analysis stored."""
        src = self.sample("sumsq-methods-ceiling.json")
        with open(src, encoding="utf-8") as f:
            stored = json.load(f)
        out = os.path.join(self.tmp, "again.json")
        p = mpbench(["analyze", src, "-o", out], self.tmp)
        self.assert_rc(p, 0, "analyze -o")
        self.assertIn("recommendation", p.stdout)
        with open(out, encoding="utf-8") as f:
            again = json.load(f)
        self.assertEqual(again["command"], stored["command"])
        self.assertEqual(len(again["points"]), len(stored["points"]))
        for a, b in zip(again["points"], stored["points"]):
            self.assertEqual(a["runs"][0]["wall_ns"], b["runs"][0]["wall_ns"])
            for key in ("speedup", "efficiency", "speedup_vs_ceiling"):
                self.assertTrue(math.isclose(a["derived"][key], b["derived"][key],
                                             rel_tol=1e-12), key)
        rec = lambda d: [(r["point"], r["workers"], r["tolerance"])
                         for r in d["analysis"]["recommendations"]]
        self.assertEqual(rec(again), rec(stored))
        # another tolerance: recommendations made at it
        q = mpbench(["analyze", src, "--tolerance", "60", "-o", out], self.tmp)
        self.assert_rc(q, 0, "analyze --tolerance 60")
        with open(out, encoding="utf-8") as f:
            wide = json.load(f)
        self.assertEqual({r["tolerance"] for r in wide["analysis"]["recommendations"]}, {0.6})
        for r in wide["analysis"]["recommendations"]:
            self.assertGreaterEqual(r["throughput_vs_best"], 0.4)
        c = mpbench(["analyze", src, "--format", "csv"], self.tmp)
        self.assert_rc(c, 0, "analyze --format csv")
        self.assertEqual(len(c.stdout.strip().splitlines()), 1 + len(stored["points"]))

    def test_analyze_bad_input(self):
        src = self.sample("null-chunks.json")
        schema, _ = self.copy_sample("null-chunks.json",
                                     lambda d: d.update(schema="mpbench.results/2"), "schema.json")
        unknown, _ = self.copy_sample(
            "null-chunks.json", lambda d: d["points"][0].update(method="vfork"), "unknown.json")
        cases = [
            ([os.path.join(self.tmp, "none.json")], ["none.json"]),
            ([schema], [schema, "mpbench.results/2"]),
            ([unknown], [unknown, "points[0].method"]),
            ([src, src], ["give one results file"]),
            ([src, "--tolerance", "100"], ["--tolerance"]),
            ([src, "--format", "xml"], ["'xml'"]),
        ]
        self.assert_rejected("analyze", cases)

    # ---- compare ----

    def test_compare_identical(self):
        s = self.sample("null-chunks.json")
        p = mpbench(["compare", s, s], self.tmp)
        self.assert_rc(p, 0, "compare identical")
        head, rows = parse_md_table(p.stdout)
        verdicts = [r[head.index("verdict")] for r in rows]
        self.assertEqual(len(verdicts), 4)
        self.assertLessEqual(set(verdicts), {"unchanged", "inconclusive"})
        # the sample is noisy: its warnings qualify the verdicts, under the table
        self.assertIn("\nWarnings of base:\n\n- ", p.stdout)
        self.assertIn("\nWarnings of new:\n\n- ", p.stdout)
        self.assertIn(" is noisy: ", p.stdout.split("Warnings of base:")[1])
        j = mpbench(["compare", s, s, "--format", "json"], self.tmp)
        self.assert_rc(j, 0, "compare --format json")
        doc = json.loads(j.stdout)
        self.assertEqual(doc["schema"], "mpbench.compare/1")
        for q in doc["points"]:
            # identical runs: ratio 1; unchanged only when the CI excludes a 10% change
            lo, hi = q["ratio_ci95"]
            within = lo >= 1 / 1.1 and hi <= 1.1
            self.assertEqual(q["verdict"], "unchanged" if within else "inconclusive", q)
        self.assertEqual(doc["counts"]["unchanged"] + doc["counts"]["inconclusive"], 4)
        self.assertEqual(doc["machine_differences"], [])
        self.assertFalse(doc["regressed"])

    def quietest_point(self, doc):
        """The point whose runs spread least: a 30% change stands out of it."""
        def spread(p):
            w = [r["wall_ns"] for r in p["runs"]]
            return max(w) / min(w)
        i = min(range(len(doc["points"])), key=lambda k: spread(doc["points"][k]))
        self.assertLess(spread(doc["points"][i]), 1.25, "the sample is too noisy for this test")
        return i

    def test_compare_regression(self):
        base = self.sample("null-chunks.json")
        with open(base, encoding="utf-8") as f:
            k = self.quietest_point(json.load(f))
        def slower(d):
            for r in d["points"][k]["runs"]:
                r["wall_ns"] = int(r["wall_ns"] * 1.3)
        new, doc = self.copy_sample("null-chunks.json", slower, "new.json")
        pt = doc["points"][k]
        p = mpbench(["compare", base, new], self.tmp)
        self.assert_rc(p, 3, "compare 30% slower")
        self.assertIn("1 point regressed beyond 10%", p.stderr)
        key = "workers=%d method=%s codec=%s transport=%s chunksize=%d" % (
            pt["workers"], pt["method"], pt["codec"], pt["transport"], pt["chunksize"])
        self.assertIn(key, p.stderr)
        self.assertEqual(p.stdout.count("**regressed**"), 1)
        j = json.loads(mpbench(["compare", base, new, "--format", "json"], self.tmp).stdout)
        regressed = [q for q in j["points"] if q["verdict"] == "regressed"]
        self.assertEqual(len(regressed), 1)
        self.assertEqual((regressed[0]["workers"], regressed[0]["chunksize"]),
                         (pt["workers"], pt["chunksize"]))
        self.assertTrue(math.isclose(regressed[0]["ratio"], 1.3, rel_tol=0.01))
        self.assertGreater(regressed[0]["ratio_ci95"][0], 1.0)
        self.assertLess(regressed[0]["p_value"], 0.05)
        # beyond a 50% threshold it is no regression
        p = mpbench(["compare", base, new, "--threshold", "50"], self.tmp)
        self.assert_rc(p, 0, "compare --threshold 50")

    def test_compare_noisy_is_inconclusive(self):
        base = self.sample("null-chunks.json")
        with open(base, encoding="utf-8") as f:
            k = self.quietest_point(json.load(f))
        def noisy(d):
            runs = d["points"][k]["runs"]
            w = sorted(r["wall_ns"] for r in runs)
            med = statistics.median(w)
            # median 30% up, but two runs faster than any base run: overlap
            new = [w[0] * 0.7, w[0] * 0.8] + [med * 1.3] * (len(runs) - 2)
            for r, v in zip(runs, new):
                r["wall_ns"] = int(v)
        new, doc = self.copy_sample("null-chunks.json", noisy, "noisy.json")
        p = mpbench(["compare", base, new, "--format", "json"], self.tmp)
        self.assert_rc(p, 0, "compare noisy")
        j = json.loads(p.stdout)
        pt = doc["points"][k]
        row = [q for q in j["points"] if (q["workers"], q["chunksize"]) ==
               (pt["workers"], pt["chunksize"]) and q["method"] == pt["method"]]
        self.assertEqual(len(row), 1, j["points"])
        self.assertEqual(row[0]["verdict"], "inconclusive")
        self.assertFalse(j["regressed"])
        self.assertGreater(row[0]["ratio"], 1.1)
        self.assertGreaterEqual(row[0]["p_value"], 0.05)

    def test_compare_bad_input_and_machines(self):
        base = self.sample("null-chunks.json")
        schema, _ = self.copy_sample("null-chunks.json",
                                     lambda d: d.update(schema="mpbench.results/2"), "s.json")
        p = mpbench(["compare", base, schema], self.tmp)
        self.assert_rc(p, 2, "compare different schema")
        self.assertIn("mpbench.results/2", p.stderr)
        p = mpbench(["compare", base, self.sample("sumsq-fork-thread.json")], self.tmp)
        self.assert_rc(p, 2, "compare nothing in common")
        self.assertIn("no point in common", p.stderr)
        for args in ([base], [base, base, base], [base, base, "--threshold", "0"],
                     [base, base, "--format", "csv"], [base, os.path.join(self.tmp, "x.json")]):
            p = mpbench(["compare"] + args, self.tmp)
            self.assert_rc(p, 2, "compare %s" % args)
            self.assertEqual(p.stdout, "")
        def other(d):
            d["machine"]["cpu_model"] = "Another CPU"
            d["machine"]["usable_cpus"] = 64
        new, _ = self.copy_sample("null-chunks.json", other, "other.json")
        p = mpbench(["compare", base, new], self.tmp)
        self.assert_rc(p, 0, "compare other machine")
        self.assertIn("warning: the machines differ: cpu_model", p.stderr)
        self.assertIn("usable_cpus: 2 vs 64", p.stderr)
        self.assertIn("Warning: the machines differ", p.stdout)


def main():
    if not MPBENCH or not os.access(MPBENCH, os.X_OK):
        print("test_report: MPBENCH must name the built mpbench binary (got %r)" % MPBENCH)
        print("test_report: FAILED")
        return 1
    if not shutil.which("gnuplot"):
        print("test_report: gnuplot is not installed (scripts/setup.sh installs gnuplot-nox)")
        print("test_report: FAILED")
        return 1
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[1:], exit=False, verbosity=2)
    res = prog.result
    ok = res.wasSuccessful() and res.testsRun > 0
    print("test_report: %s (%d tests, %d failures, %d errors)"
          % ("OK" if ok else "FAILED", res.testsRun, len(res.failures), len(res.errors)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

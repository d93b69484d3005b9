#!/usr/bin/env python3
"""test_metadata.py — integration tests of what a results file records about
the machine and the build (results/README.md, `machine` and `tool`): cpu0's
caches as /sys gives them, the CPU clock where known, compiler, flags and
build type; every key of `machine` and `tool` documented in
results/README.md; `info --format json` with the same facts; and the JSON
form of the exported table with its schema id and units.

Standard library only. No timing: only what is recorded is checked.
"""

import json
import os
import re
import tempfile
import unittest

import mpbtest
from mpbtest import load_results

RUN_TIMEOUT_S = 180
SOURCE = os.environ.get("MPB_SOURCE_ROOT") or os.path.join(os.path.dirname(__file__), "..", "..")
CACHE = "/sys/devices/system/cpu/cpu0/cache"
TINY = ["sweep", "-w", "null", "-s", "0", "-t", "10", "-j", "1", "-r", "1", "--max-runs", "1",
        "--warmup", "0", "--counters", "none", "--no-ceiling", "--no-progress"]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


class Metadata(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="mpb-metadata-")
        p = mpbtest.mpbench(TINY + ["-o", "r.json"], cls.tmp.name, RUN_TIMEOUT_S)
        assert p.returncode == 0, p.stderr
        cls.doc = load_results(os.path.join(cls.tmp.name, "r.json"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_caches_as_sys_gives_them(self):
        caches = self.doc["machine"]["caches"]
        self.assertIsInstance(caches, list)
        for c in caches:
            self.assertEqual(set(c), {"level", "type", "size_bytes", "line_bytes", "shared_cpus"})
            self.assertGreater(c["size_bytes"], 0)
        if not os.path.exists(os.path.join(CACHE, "index0", "size")):
            self.assertEqual(caches, [])
            return
        # index by index, the sizes the kernel states
        for i, c in enumerate(caches):
            d = os.path.join(CACHE, "index%d" % i)
            self.assertEqual(c["level"], int(read(os.path.join(d, "level"))))
            size = read(os.path.join(d, "size"))
            mult = {"K": 1024, "M": 1 << 20, "G": 1 << 30}.get(size[-1], 1)
            self.assertEqual(c["size_bytes"], int(size.rstrip("KMG")) * mult)
            self.assertEqual(c["type"], read(os.path.join(d, "type")))

    def test_clock(self):
        m = self.doc["machine"]
        for key in ("cpu_mhz", "cpu_max_mhz"):
            v = m[key]
            self.assertTrue(v is None or (isinstance(v, (int, float)) and 1 <= v <= 100000),
                            "%s = %r" % (key, v))
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            known = any(line.startswith("cpu MHz") for line in f)
        if known:
            self.assertIsNotNone(m["cpu_mhz"])

    def test_build(self):
        tool = self.doc["tool"]
        for key in ("compiler", "c_args", "c_flags", "build_type", "optimization", "sanitize"):
            self.assertIsInstance(tool[key], str, key)
        self.assertIn("-std=", tool["c_flags"])
        if tool["optimization"] != "plain":
            self.assertIn("-O" + tool["optimization"], tool["c_flags"].split())
        self.assertIsInstance(tool["debug"], bool)
        self.assertIsInstance(tool["fault_injection"], bool)

    def test_every_key_documented(self):
        readme = read(os.path.join(SOURCE, "results", "README.md"))
        machine = readme[readme.index("## `machine`"):readme.index("## `baselines[]`")]
        for key in self.doc["machine"]:
            self.assertRegex(machine, r"`%s`" % re.escape(key), "machine.%s undocumented" % key)
        tool = next(line for line in readme.splitlines() if line.startswith("| `tool` |"))
        for key in self.doc["tool"]:
            self.assertRegex(tool, r"[`{ ]%s[`},]" % re.escape(key), "tool.%s undocumented" % key)

    def test_info_json_says_the_same(self):
        p = mpbtest.mpbench(["info", "--format", "json"], self.tmp.name, RUN_TIMEOUT_S)
        self.assertEqual(p.returncode, 0, p.stderr)
        info = json.loads(p.stdout)
        self.assertEqual(info["machine"]["caches"], self.doc["machine"]["caches"])
        self.assertEqual(info["tool"]["c_flags"], self.doc["tool"]["c_flags"])

    def test_table_json_has_schema_and_units(self):
        p = mpbtest.mpbench(["report", os.path.join(self.tmp.name, "r.json"), "--format", "json"],
                            self.tmp.name, RUN_TIMEOUT_S)
        self.assertEqual(p.returncode, 0, p.stderr)
        table = json.loads(p.stdout)
        self.assertEqual(table["schema"], "mpbench.report/1")
        self.assertEqual(len(table["rows"]), len(self.doc["points"]))
        for name, unit in table["units"].items():
            self.assertIn(unit, {"ns", "bytes", "%", "fraction"}, name)
            if unit == "ns":
                self.assertTrue(name.endswith("_ns"), name)
        self.assertEqual(table["units"]["wall_median_ns"], "ns")


if __name__ == "__main__":
    unittest.main()

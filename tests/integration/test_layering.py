#!/usr/bin/env python3
"""test_layering.py — the harness's layers hold: the pool library cannot see
an upper layer's header, and no file includes a header from a layer above it.

harness/meson.build builds base/, counters/, pool/ and workloads/ as the
library mpb_pool with an include path of those folders only. This test
compiles two probes with exactly that include path: one that includes the
pool's own headers must compile, one that includes the driver's header must
not. Then it walks every #include "..." in harness/ and workloads/ and checks
it against the layer order documented in docs/ARCHITECTURE.md.

Needs a C compiler ($CC or cc); the source root comes from $MPB_SOURCE_ROOT
(set by tests/meson.build) or this file's location.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.environ.get("MPB_SOURCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
HARNESS = os.path.join(ROOT, "harness")

# Folders from the bottom up; a file may include headers of its own layer
# and of the layers below it. Folders on one line form one layer.
LAYERS = [
    ["harness/base"],
    ["workloads"],
    ["harness/counters"],
    ["harness/pool", "harness/pool/method", "harness/pool/transport", "harness/pool/codec",
     "harness/pool/mpi"],
    ["harness/machine"],
    ["harness/plan"],
    ["harness/model"],
    ["harness/analysis"],
    ["harness/output"],
    ["harness/external"],
    ["harness/run"],
    ["harness/cli"],
]
POOL_LIBRARY = [d for layer in LAYERS[:4] for d in layer]
# Includes that reach up today, one line each, to go when the code stops doing
# it (none now: the --cmd runner sees the sweep through runner.h, not the
# driver); the test fails both on a new upward include and on a line here
# that no longer happens.
KNOWN_UPWARD = set()
GENERATED = {"mpb_config.h", "mpb_git.h"}  # in the build root, seen by the top layers


def layer_of(folder):
    for i, layer in enumerate(LAYERS):
        if folder in layer:
            return i
    return None


def headers():
    """header name -> folder (relative to ROOT) for every layered header."""
    found = {}
    for layer in LAYERS:
        for folder in layer:
            for name in os.listdir(os.path.join(ROOT, folder)):
                if name.endswith(".h"):
                    found[name] = folder
    return found


class Layering(unittest.TestCase):
    def compile_probe(self, include):
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        if not cc:
            self.fail("no C compiler found to run the probe with")
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as f:
                f.write('#define _GNU_SOURCE 1\n#include "%s"\nint probe(void);\n'
                        'int probe(void) { return 0; }\n' % include)
            args = [cc, "-std=c11", "-fsyntax-only"]
            for folder in POOL_LIBRARY:
                args.append("-I" + os.path.join(ROOT, folder))
            args.append(src)
            return subprocess.run(args, capture_output=True, text=True)

    def test_pool_library_sees_its_own_headers(self):
        for h in ("pool.h", "worker.h", "method.h", "transport.h", "codec.h", "workload.h"):
            r = self.compile_probe(h)
            self.assertEqual(r.returncode, 0, "%s must compile with the pool's include "
                             "path:\n%s" % (h, r.stderr))

    def test_pool_library_cannot_see_upper_headers(self):
        for h in ("driver.h", "plan.h", "results.h", "analysis.h", "cli.h", "machine.h"):
            r = self.compile_probe(h)
            self.assertNotEqual(r.returncode, 0, "%s compiled with the pool library's "
                                "include path: the layering is not enforced" % h)
            self.assertIn(h, r.stderr)

    def test_no_include_reaches_up(self):
        where = headers()
        bad, known = [], set()
        pattern = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
        for layer in LAYERS:
            for folder in layer:
                mine = layer_of(folder)
                for name in sorted(os.listdir(os.path.join(ROOT, folder))):
                    if not name.endswith((".c", ".h")):
                        continue
                    with open(os.path.join(ROOT, folder, name)) as f:
                        text = f.read()
                    for inc in pattern.findall(text):
                        if inc in GENERATED:
                            if mine < layer_of("harness/output"):
                                bad.append("%s/%s includes the generated %s"
                                           % (folder, name, inc))
                            continue
                        if inc not in where:
                            bad.append("%s/%s includes %s, which no layer holds"
                                       % (folder, name, inc))
                            continue
                        if layer_of(where[inc]) > mine:
                            up = "%s/%s includes %s" % (folder, name, inc)
                            if up in KNOWN_UPWARD:
                                known.add(up)
                            else:
                                bad.append("%s, from %s above it" % (up, where[inc]))
        self.assertEqual(bad, [], "\n".join(bad))
        gone = sorted(KNOWN_UPWARD - known)
        self.assertEqual(gone, [], "no longer reach up; remove them from KNOWN_UPWARD:\n"
                         + "\n".join(gone))


if __name__ == "__main__":
    unittest.main(verbosity=2)

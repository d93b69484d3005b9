"""benchlib.py — what the Python scripts of scripts/bench/ share."""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def mpbench_bin(script, hint=""):
    """The mpbench binary to measure: $MPBENCH, else buildrel/ or build/ of
    this checkout (a release build: scripts/build.sh); else exit naming the
    script, with `hint` after the advice."""
    env = os.environ.get("MPBENCH")
    if env:
        return env
    for b in ("buildrel", "build"):
        p = os.path.join(ROOT, b, "harness", "mpbench")
        if os.access(p, os.X_OK):
            return p
    sys.exit("%s: no mpbench binary: set MPBENCH%s" % (script, hint))

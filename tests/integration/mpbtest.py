"""mpbtest.py — what the integration tests share: the binary under test, a
strict reader for the JSON it writes, and a way to run it.

Standard library only. Each test_*.py imports it from its own directory
(python puts the script's directory first on sys.path).
"""

import json
import os
import subprocess

# The built binary; meson sets it (tests/meson.build).
MPBENCH = os.environ.get("MPBENCH", "")


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ValueError("duplicate keys %s" % sorted(dup))
    return dict(pairs)


def _no_constant(name):
    raise ValueError("non-standard JSON constant %s" % name)


def load_results(path):
    """Strict JSON, as mpbench promises to write it: no duplicate keys, no
    NaN or Infinity (a reader in another language would choke on them)."""
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def files_under(root):
    """Every non-directory entry below root, relative paths, sorted."""
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            out.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(out)


def mpbench(args, cwd, timeout, prefix=(), exe=None, env=None):
    """Run the binary (or exe) with args in cwd, stdin closed, output captured
    as text; timeout is hang detection only."""
    return subprocess.run(list(prefix) + [exe or MPBENCH] + list(args), cwd=cwd,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, env=env)

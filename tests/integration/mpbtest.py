"""mpbtest.py — what the integration tests share: the binary under test, a
strict reader for the JSON it writes, a way to run it (through an optional
wrapper such as valgrind), and the no-child-left checks.

Standard library only; Linux only (/proc, PR_SET_CHILD_SUBREAPER). Each
test_*.py imports it from its own directory (python puts the script's
directory first on sys.path).

Every test starts mpbench through command() / mpbench() / popen() here, so
that $MPB_WRAPPER (a shell-split command prefix, e.g. "valgrind --quiet
--error-exitcode=99 ...", see scripts/valgrind.sh) reaches each invocation.
Under a wrapper:
  - hang bounds go through bound(), which multiplies them by
    $MPB_WRAPPER_SLOWDOWN (default 10);
  - spawned workers get the wrapper too: $MPBENCH_WORKER is pointed at a
    small script that execs the wrapper on the real mpbench-worker (unless
    $MPB_WRAPPER_WORKERS=0), because a wrapper on mpbench alone stops at the
    worker's exec;
  - a test that cannot mean anything there (it compares timings or CPU
    figures that the wrapper swamps) calls skip_if_wrapped() with why.
"""

import atexit
import json
import os
import shlex
import shutil
import stat
import subprocess
import tempfile

# The built binary; meson sets it (tests/meson.build). Absolute, because the
# tests run it from temporary working directories.
MPBENCH = os.path.abspath(os.environ["MPBENCH"]) if os.environ.get("MPBENCH") else ""

# What every invocation of mpbench is prefixed with; empty runs it bare. Its
# program by full path: some tests run mpbench with a reduced $PATH.
WRAPPER = shlex.split(os.environ.get("MPB_WRAPPER", ""))
WRAPPED = bool(WRAPPER)
if WRAPPED:
    WRAPPER[0] = shutil.which(WRAPPER[0]) or WRAPPER[0]
# How much longer than bare a wrapped run may take before it counts as hung.
SLOWDOWN = float(os.environ.get("MPB_WRAPPER_SLOWDOWN") or 10) if WRAPPED else 1.0

# Under a wrapper each run is slow and noisy, so adaptive sampling goes on to
# its --max-runs (30) on every item; a test whose assertions do not depend
# on the number of runs adds this to a sweep that it runs with -r 2.
MAX_RUNS_IF_WRAPPED = ["--max-runs", "2"] if WRAPPED else []

def command(exe=None):
    """The argv prefix that runs mpbench (or a copy of it at exe)."""
    return WRAPPER + [exe or MPBENCH]


# A sanitizer build runs several times slower: scripts/test.sh sets
# MPB_TEST_SLOWDOWN for it.
BUILD_SLOWDOWN = float(os.environ.get("MPB_TEST_SLOWDOWN") or 1)


def bound(seconds):
    """A hang-detection bound in seconds, stretched under a wrapper."""
    return seconds * SLOWDOWN * BUILD_SLOWDOWN


def promise_bound(seconds):
    """A bound that a documented promise sets ("within a second"), stretched
    for what this run cannot help: a wrapper, a sanitizer build, and a load
    above the usable CPUs (a loaded machine delays every process, the
    harness's exit included)."""
    cpus = max(1, len(os.sched_getaffinity(0)))
    load = os.getloadavg()[0]
    return bound(seconds) * max(1.0, load / cpus)


def skip_if_wrapped(test, why):
    """Skip test (a TestCase) under $MPB_WRAPPER, saying why."""
    if WRAPPED:
        test.skipTest("not under MPB_WRAPPER: " + why)


def _wrap_spawned_workers():
    """Point $MPBENCH_WORKER at a script that execs the wrapper on the real
    worker (same pid: the harness's bookkeeping is unchanged). The script's
    directory goes when this test process exits."""
    worker = os.environ.get("MPBENCH_WORKER") or (
        os.path.join(os.path.dirname(MPBENCH), "mpbench-worker") if MPBENCH else "")
    if not worker or os.environ.get("MPB_WRAPPER_WORKERS", "1") == "0":
        return
    d = tempfile.mkdtemp(prefix="mpb-wrapped-worker-")
    atexit.register(shutil.rmtree, d, True)
    os.chmod(d, 0o755)
    path = os.path.join(d, "mpbench-worker")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec %s %s \"$@\"\n"
                % (" ".join(shlex.quote(a) for a in WRAPPER),
                   shlex.quote(os.path.abspath(worker))))
    os.chmod(path, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    os.environ["MPBENCH_WORKER"] = path


if WRAPPED:
    _wrap_spawned_workers()


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


def mpbench(args, cwd, timeout, prefix=(), exe=None, env=None, preexec_fn=None):
    """Run the binary (or exe) with args in cwd, stdin closed, output captured
    as text; timeout is hang detection only (stretched by bound())."""
    return subprocess.run(list(prefix) + command(exe) + list(args), cwd=cwd,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=bound(timeout),
                          env=env, preexec_fn=preexec_fn)


def popen(args, **kwargs):
    """subprocess.Popen of mpbench with args; kwargs as Popen's."""
    return subprocess.Popen(command() + list(args), **kwargs)


# ---- no child left behind --------------------------------------------------
#
# A test process that is a child subreaper adopts every process that a broken
# harness orphans: what the harness failed to reap shows up as our child.

PR_SET_CHILD_SUBREAPER = 36
CLK_TCK = os.sysconf("SC_CLK_TCK")


def become_subreaper():
    """Make this process a child subreaper (orphans below it become ours)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def proc_stat(pid):
    """(state, ppid, utime+stime seconds) of pid, or None when it does not exist."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # the command name is in parentheses and may hold spaces
    rest = data[data.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), (int(rest[11]) + int(rest[12])) / CLK_TCK


def alive(pid):
    """pid exists and is not a zombie."""
    # from /proc: a zombie would still answer kill(pid, 0)
    try:
        st = proc_stat(pid)
    except OSError:
        return False
    return st is not None and st[0] != "Z"


def children_of(pid):
    """pid's children (zombies included), from /proc; [] when pid is gone."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def our_children():
    """Pids (zombies included) whose parent is this process."""
    out = []
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            st = proc_stat(int(name))
        except OSError:
            continue
        if st and st[1] == me:
            out.append(int(name))
    return out


def kill_and_reap(pids):
    """SIGKILL and reap each of pids (our children); gone ones are skipped."""
    for p in pids:
        try:
            os.kill(p, 9)
            os.waitpid(p, 0)
        except (ProcessLookupError, ChildProcessError):
            pass

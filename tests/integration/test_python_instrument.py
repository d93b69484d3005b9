#!/usr/bin/env python3
"""test_python_instrument.py — `--cmd ... --instrument python` against the
built binary: small, unmodified multiprocessing.Pool and
ProcessPoolExecutor scripts (written here, for the test) under fork, spawn
and forkserver, each run's recorded figures checked against what the script
provably did: tasks per worker add up to the items it mapped, the bytes the
parent pickled lie between the pickled size of the known arguments and that
plus a bound per message, the workers' pids are the pids the script saw in
its pool, the phases fit in the wall time; the Python version, start method,
pool kind and codec are recorded. A task that raises and a worker killed in
a task each fail their point with the cause, and leave no process behind.
No timing is asserted. Skipped, saying so, without python3.
"""

import os
import pickle
import shutil
import sys
import tempfile
import unittest

import mpbtest
from mpbtest import MPBENCH, alive

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_TIMEOUT_S = 300  # hang detection only
QUICK = ["-r", "1", "--max-runs", "1", "--warmup", "0", "--no-progress", "--counters", "none"]
WITH_COUNTERS = QUICK[:-2]  # the default set: software events count here, hardware may not
N = 40          # items each script maps
PAYLOAD = 3000  # bytes of each item's argument
CHUNK = 3

# An unmodified pool script: it knows nothing of mpbench. It writes the pids
# of its pool's workers (as the library lists them) to argv[4].
SCRIPT = r'''
import concurrent.futures as cf
import multiprocessing as mp
import os
import sys

def work(b):
    return len(b) + sum(b[:10])

def main():
    api, method, n, size, chunk, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    args = [bytes([k % 256]) * size for k in range(n)]
    ctx = mp.get_context(method)
    if api == "pool-close":  # close() and join(): every worker ends its loop
        pool = ctx.Pool(2)
        res = pool.map(work, args, chunk)
        pids = [p.pid for p in pool._pool]
        pool.close()
        pool.join()
    elif api.startswith("pool"):
        with ctx.Pool(2) as pool:
            if api == "pool-map":
                res = pool.map(work, args, chunk)
            elif api == "pool-imap":
                res = list(pool.imap(work, args, chunk))
            elif api == "pool-imap_unordered":
                res = sorted(pool.imap_unordered(work, args, chunk))
            elif api == "pool-starmap":
                res = pool.starmap(work, [(a,) for a in args], chunk)
            else:
                res = [f.get() for f in [pool.apply_async(work, (a,)) for a in args]]
            pids = [p.pid for p in pool._pool]
    else:
        with cf.ProcessPoolExecutor(2, mp_context=ctx) as ex:
            if api == "executor-map":
                res = list(ex.map(work, args, chunksize=chunk))
            else:
                res = [f.result() for f in [ex.submit(work, a) for a in args]]
            pids = list(ex._processes)
    want = sorted(work(a) for a in args)
    if sorted(res) != want:
        sys.exit("wrong results")
    with open(out, "w") as f:
        f.write(" ".join(str(p) for p in pids))
    print("done")

if __name__ == "__main__":
    main()
'''

# Tasks that fail: one raises, one kills its own worker. Every task appends
# its worker's pid to argv[3] first, so the test can see that none is left.
FAILING = r'''
import concurrent.futures as cf
import multiprocessing as mp
import os
import signal
import sys

def bad(k):
    with open(sys.argv[3], "a") as f:
        f.write("%d\n" % os.getpid())
    if k == 5:
        if sys.argv[1].endswith("raise"):
            raise ZeroDivisionError("task 5 divides by zero")
        os.kill(os.getpid(), signal.SIGKILL)
    return k

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[2])
    if sys.argv[1].startswith("pool"):
        with ctx.Pool(2) as pool:
            pool.map(bad, range(10), 1)
    else:
        with cf.ProcessPoolExecutor(2, mp_context=ctx) as ex:
            list(ex.map(bad, range(10)))
'''

METHODS = ["fork", "spawn", "forkserver"]


def pickled(obj):
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


class PythonInstrumentTest(unittest.TestCase):
    def setUp(self):
        if not MPBENCH or not os.access(MPBENCH, os.X_OK):
            self.skipTest("MPBENCH does not name the built binary")
        self.py = shutil.which("python3")
        if not self.py:
            self.skipTest("python3 is not in PATH: no Python pool to measure")
        self.dir = tempfile.mkdtemp(prefix="mpb-pyinstr-")
        with open(os.path.join(self.dir, "script.py"), "w") as f:
            f.write(SCRIPT)
        with open(os.path.join(self.dir, "failing.py"), "w") as f:
            f.write(FAILING)

    def tearDown(self):
        if hasattr(self, "dir"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def sweep(self, template, extra=(), quick=QUICK):
        return mpbtest.mpbench(["sweep", "--cmd", template, "--instrument", "python",
                                "-j", "2", "-m", ",".join(METHODS), "-o", "r.json"]
                               + quick + list(extra), self.dir, RUN_TIMEOUT_S,
                               env=dict(os.environ))

    def load(self):
        return mpbtest.load_results(os.path.join(self.dir, "r.json"))

    def check_own(self, run, machine):
        """Each worker that served was read out: by itself at the end of its
        loop, or, for a worker Pool.terminate() killed first, by the pool's
        process just before (readout_ns > 0 either way). It has its memory
        (PSS) and its counters, as a native worker counts itself: every
        event mpbench could open (task-clock > 0), the others null with the
        reason in machine.counters; the workers are inside the command's
        tree, whose counters are the run's. Returns the workers that served."""
        served = [w for w in run["workers_detail"] if w["tasks"] > 0]
        self.assertTrue(served)
        for w in served:
            self.assertGreater(w["pss_bytes"], 0)
            self.assertGreaterEqual(w["rss_bytes"], w["pss_bytes"])
            self.assertIsNotNone(w["private_dirty_bytes"])
            self.assertGreaterEqual(w["startup_timeline"]["counted_ns"],
                                    w["startup_timeline"]["running_ns"])
            self.assertGreater(w["readout_ns"], 0)
        for w in served:
            for name, ev in machine.items():
                if ev["available"]:
                    self.assertIsNotNone(w["counters"][ev["key"]], name)
                else:
                    self.assertIsNone(w["counters"][ev["key"]], name)
                    self.assertRegex(ev["reason"], r"\((E[A-Z0-9]+|errno \d+)\)$")
            if machine.get("task-clock", {}).get("available"):
                self.assertGreater(w["counters"]["task_clock_ns"], 0)
        if machine.get("task-clock", {}).get("available"):
            tree = run["counters"]["task_clock_ns"]
            workers = run["counters_by_scope"]["workers"]["task_clock_ns"]
            if workers is not None:  # every worker read itself out
                self.assertLessEqual(workers, tree)
        self.assertEqual(run["instrumentation_ns"],
                         sum(w["instrumentation_ns"] + w["readout_ns"]
                             for w in run["workers_detail"]))
        self.assertEqual(run["cmd"]["python"]["counters_failed"], {})
        return served

    def check_api(self, api, items_per_message):
        pids = os.path.join(self.dir, "pids-{method}-{workers}")
        r = self.sweep(f"{self.py} script.py {api} {{method}} {N} {PAYLOAD} {CHUNK} {pids}")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = self.load()
        self.assertEqual(len(doc["points"]), 3)
        arg_bytes = N * pickled(b"x" * PAYLOAD)
        for p in doc["points"]:
            self.assertIsNone(p["error"], p["error"])
            run = p["runs"][0]
            py = run["cmd"]["python"]
            self.assertEqual(py["start_method"], p["method"])
            self.assertEqual(py["kind"], "multiprocessing.Pool" if api.startswith("pool")
                             else "concurrent.futures.ProcessPoolExecutor")
            self.assertEqual(py["codec"], "pickle")
            self.assertEqual(p["codec"], "pickle")
            self.assertEqual(py["python"], "%d.%d.%d" % sys.version_info[:3])
            self.assertEqual(py["pools"], 1)
            self.assertEqual(py["processes"], 2)
            # the workers: the script's own pool's processes, all its items
            with open(pids.replace("{method}", p["method"]).replace("{workers}", "2")) as f:
                seen = {int(x) for x in f.read().split()}
            detail = run["workers_detail"]
            self.assertTrue(detail)
            self.assertLessEqual({w["pid"] for w in detail}, seen)
            self.assertEqual(sum(w["tasks"] for w in detail), N)
            for w in detail:
                self.assertGreaterEqual(w["serve_ns"], w["compute_ns"] + w["codec_ns"]
                                        + w["idle_ns"] + w["send_ns"] - 4 * 1000)
            # bytes: every argument pickled once, plus framing per message
            messages = -(-N // items_per_message)
            self.assertGreaterEqual(run["bytes_sent"], arg_bytes)
            self.assertLessEqual(run["bytes_sent"], arg_bytes + 400 * (messages + 4))
            self.assertGreater(run["bytes_received"], 0)
            self.assertLessEqual(run["bytes_received"], 400 * (messages + 4))
            self.assertGreater(run["codec_ns"]["parent"], 0)
            self.assertGreater(run["codec_ns"]["workers"], 0)
            self.assertGreater(run["compute_ns"], 0)
            # phases: disjoint windows inside the command's wall time
            for k in ("startup_ns", "map_ns", "teardown_ns"):
                self.assertGreater(run[k], 0, k)
            self.assertLessEqual(run["startup_ns"] + run["map_ns"] + run["teardown_ns"],
                                 run["wall_ns"])
            self.assertTrue(run["overhead"]["consistent"])
            self.assertEqual(run["overhead"]["workers"]["compute_ns"], run["compute_ns"])
            self.assertIsNotNone(p["derived"]["serialization_fraction"])
            # an executor's shutdown() ends every worker's loop; a Pool's
            # terminate() (leaving `with`) may kill a worker first: the
            # pool's process has read it out
            self.check_own(run, doc["machine"]["counters"])
            if all(w["pss_bytes"] for w in detail):
                self.assertGreater(p["derived"]["worker_pss_bytes"], 0)

    def test_pool_map(self):
        self.check_api("pool-map", CHUNK)

    def test_pool_close_counts_every_worker(self):
        """close() and join(): every worker ends its loop and reads itself
        out: memory and counters for each."""
        self.check_counted("pool-close")

    def test_executor_counts_every_worker(self):
        """shutdown(): every worker ends its loop and reads itself out."""
        self.check_counted("executor-submit")

    def test_pool_terminate_counts_every_worker(self):
        """Leaving `with Pool(...)`: terminate() kills the workers that have
        not yet taken its sentinel; the pool's process reads their counters
        (through duplicates of their descriptors) and memory just before, so
        every worker has both, as after close()."""
        self.check_counted("pool-map")

    def check_counted(self, api):
        pids = os.path.join(self.dir, "pids")
        r = self.sweep(f"{self.py} script.py {api} {{method}} {N} {PAYLOAD} {CHUNK} {pids}",
                       quick=WITH_COUNTERS)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = self.load()
        self.assertTrue(doc["machine"]["counters"])
        for p in doc["points"]:
            self.assertIsNone(p["error"], p["error"])
            run = p["runs"][0]
            self.assertEqual(sum(w["tasks"] for w in run["workers_detail"]), N)
            self.check_own(run, doc["machine"]["counters"])
            # as in check_api: terminate() may kill a worker that never
            # served, still starting, before it had a record to read into
            if all(w["pss_bytes"] for r in p["runs"] for w in r["workers_detail"]):
                self.assertGreater(p["derived"]["worker_pss_bytes"], 0)

    def test_pool_imap(self):
        self.check_api("pool-imap", CHUNK)

    def test_pool_imap_unordered(self):
        self.check_api("pool-imap_unordered", CHUNK)

    def test_pool_starmap(self):
        self.check_api("pool-starmap", CHUNK)

    def test_pool_apply_async(self):
        self.check_api("pool-apply_async", 1)

    def test_executor_map(self):
        self.check_api("executor-map", CHUNK)

    def test_executor_submit(self):
        self.check_api("executor-submit", 1)

    def test_counters_none_counts_nothing(self):
        """--counters none: no worker opens a counter; memory is still taken."""
        pids = os.path.join(self.dir, "pids")
        r = self.sweep(f"{self.py} script.py pool-close {{method}} {N} {PAYLOAD} {CHUNK} {pids}")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = self.load()
        self.assertEqual(doc["machine"]["counters"], {})
        for p in doc["points"]:
            self.assertIsNone(p["error"], p["error"])
            run = p["runs"][0]
            for w in self.check_own(run, {}):
                self.assertTrue(all(v is None for v in w["counters"].values()), w["counters"])
            self.assertIsNone(run["counters"]["task_clock_ns"])

    def task_clock_runs(self, template):
        """Sweep template counting task-clock only, and yield each point's
        run and the workers that served (skipped where task-clock cannot be
        counted at all): the point did not fail, the command's tree is
        counted, each worker's memory taken."""
        r = self.sweep(template, quick=WITH_COUNTERS + ["--counters", "task-clock"])
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = self.load()
        if not doc["machine"]["counters"]["task-clock"]["available"]:
            self.skipTest("task-clock cannot be counted here at all")
        for p in doc["points"]:
            self.assertIsNone(p["error"], p["error"])
            run = p["runs"][0]
            self.assertIsNotNone(run["counters"]["task_clock_ns"])
            served = [w for w in run["workers_detail"] if w["tasks"] > 0]
            self.assertTrue(served)
            for w in served:
                self.assertGreater(w["pss_bytes"], 0)
            yield run, served

    def test_worker_counter_failure_is_reported(self):
        """A worker whose perf_event_open fails (here: a system call number
        that does not exist, so ENOSYS) records its errno: its counters are
        null and cmd.python.counters_failed says why, as mpbench words it;
        the command's tree is still counted, the worker's memory still taken."""
        pids = os.path.join(self.dir, "pids")
        script = f"{self.py} script.py executor-map {{method}} {N} {PAYLOAD} {CHUNK} {pids}"
        for run, served in self.task_clock_runs(
                "sh -c 'MPBENCH_PY_COUNTERS=\"99999 ${{MPBENCH_PY_COUNTERS#* }}\" "
                f"exec {script}'"):
            for w in served:
                self.assertIsNone(w["counters"]["task_clock_ns"])
            why = run["cmd"]["python"]["counters_failed"]["task_clock_ns"]
            self.assertRegex(why, r"^worker \d+: .*\(ENOSYS\)$")

    def test_terminated_worker_counter_failure_is_reported(self):
        """Where the pool's process cannot take the counters of a worker
        that terminate() kills (here: a sitecustomize that mpbench's runs
        after itself gives pidfd_getfd a system call number that does not
        exist, so ENOSYS), that worker's counters are null and
        cmd.python.counters_failed says why, in words that name the
        terminate(); its memory is still taken and the script is unharmed.
        A worker that took the pool's sentinel before the kill (it races
        terminate()) counts itself, as ever."""
        hook = os.path.join(self.dir, "hook")
        os.mkdir(hook)
        with open(os.path.join(hook, "sitecustomize.py"), "w") as f:
            f.write("import sys\nsys.modules['sitecustomize'].PIDFD_GETFD = 99999\n")
        pids = os.path.join(self.dir, "pids")
        script = f"{self.py} script.py pool-map {{method}} {N} {PAYLOAD} {CHUNK} {pids}"
        for run, served in self.task_clock_runs(
                f"sh -c 'PYTHONPATH=\"$PYTHONPATH:{hook}\" exec {script}'"):
            self.assertEqual(sum(w["tasks"] for w in served), N)
            lost = set()
            for w in served:
                self.assertGreater(w["readout_ns"], 0)
                if w["counters"]["task_clock_ns"] is None:
                    lost.add(w["pid"])
                else:
                    self.assertGreater(w["counters"]["task_clock_ns"], 0)
            failed = run["cmd"]["python"]["counters_failed"]
            if not lost:
                self.assertEqual(failed, {})
                continue
            why = failed["task_clock_ns"]
            self.assertRegex(why, r"^worker \d+: killed by Pool\.terminate\(\); its counters "
                                  r"could not be taken: .*\(ENOSYS\)$")
            self.assertIn(int(why.split()[1].rstrip(":")), lost)

    def test_payload_example(self):
        """workloads/python/payload.py: the pickled bytes follow -s."""
        script = os.path.join(ROOT, "workloads", "python", "payload.py")
        r = mpbtest.mpbench(["sweep", "--cmd", f"{self.py} {script} -j {{workers}} -m {{method}} "
                             "-s {size} -t {tasks}", "--instrument", "python", "-s", "1k,64k",
                             "-t", "4", "-j", "2", "-o", "r.json"] + QUICK, self.dir,
                            RUN_TIMEOUT_S)
        self.assertEqual(r.returncode, 0, r.stderr)
        sent = {}
        for p in self.load()["points"]:
            run = p["runs"][0]
            self.assertEqual(sum(w["tasks"] for w in run["workers_detail"]), 4)
            sent[p["size"]] = run["bytes_sent"]
            self.assertGreaterEqual(run["bytes_sent"], 4 * p["size"])
            self.assertLessEqual(run["bytes_sent"], 4 * (p["size"] + 400) + 1000)
            # each argument is one message (4 tasks, 2 workers: chunks of
            # 1); the 64000-byte ones, and only those, are large calls
            pk = run["cmd"]["python"]["pickling"]
            large = 4 if p["size"] >= 32768 else 0
            for side, way in (("parent", "dumps"), ("workers", "loads")):
                c = pk[side][way]
                self.assertEqual(c["large"]["calls"], large, (side, way))
                self.assertGreaterEqual(c["calls"], 4)
                self.assertLessEqual(c["large"]["ns"], c["ns"])
                self.assertLessEqual(c["large"]["min_ns"] * large, c["large"]["ns"])
                self.assertLessEqual(c["large"]["max_ns"], c["large"]["ns"])
                if large:
                    self.assertGreater(c["large"]["min_ns"], 0)
            self.assertEqual(pk["parent"]["dumps"]["bytes"], run["bytes_sent"])
            # the workers' loads: the arguments, and the teardown's sentinels
            # (sent after the parent's figures end) when they read them
            self.assertLessEqual(pk["workers"]["loads"]["bytes"], run["bytes_sent"] + 100)
            self.assertGreaterEqual(pk["workers"]["loads"]["bytes"], 4 * p["size"])
            self.assertEqual(pk["parent"]["loads"]["large"]["calls"], 0)  # small results
        self.assertEqual(sorted(sent), [1000, 64000])

    def test_no_pool_is_not_a_failure(self):
        """A run without a process pool (a serial run) records pools: 0."""
        r = mpbtest.mpbench(["sweep", "--cmd", f"{self.py} -c 'print(1)'", "--instrument",
                             "python", "-j", "2", "-o", "r.json"] + QUICK, self.dir,
                            RUN_TIMEOUT_S)
        self.assertEqual(r.returncode, 0, r.stderr)
        run = self.load()["points"][0]["runs"][0]
        self.assertEqual(run["cmd"]["python"], {"pools": 0})
        self.assertEqual(run["workers_detail"], [])

    def check_failure(self, api, cause, first=False):
        log = os.path.join(self.dir, "pids")
        # the serial baseline runs uninstrumented: an uninstrumented Pool
        # with a killed worker would wait until --timeout
        r = self.sweep(f"{self.py} failing.py {api} {{method}} {log}",
                       ["--timeout", "120", "--baseline-cmd", "true"])
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = self.load()
        for p in doc["points"]:
            self.assertIsNotNone(p["error"])
            self.assertIn(cause, p["error"])
            if first:  # the recorded cause leads, whatever stderr's tail holds
                self.assertTrue(p["error"].startswith("multiprocessing.Pool worker "), p["error"])
                self.assertIn(cause + ": command exited with status 1", p["error"])
            self.assertEqual(p["error_kind"], "command_failed")
        with open(log) as f:
            for pid in {int(x) for x in f.read().split()}:
                self.assertFalse(alive(pid), f"worker {pid} is still alive")

    def test_raising_task_fails_the_point(self):
        self.check_failure("pool-raise", "ZeroDivisionError: task 5 divides by zero")
        self.check_failure("executor-raise", "ZeroDivisionError: task 5 divides by zero")

    def test_killed_worker_fails_the_point(self):
        # multiprocessing.Pool would wait forever: the instrumentation ends it
        self.check_failure("pool-kill", "killed by signal 9 during a task", first=True)
        self.check_failure("executor-kill", "BrokenProcessPool")

    def test_bad_values(self):
        r = mpbtest.mpbench(["sweep", "--cmd", "true", "--instrument", "perl", "-o", "r.json"]
                            + QUICK, self.dir, RUN_TIMEOUT_S)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--instrument: unknown value 'perl' (accepted: none, python)", r.stderr)
        r = mpbtest.mpbench(["sweep", "--instrument", "python", "-o", "r.json"] + QUICK,
                            self.dir, RUN_TIMEOUT_S)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--instrument python needs --cmd", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "r.json")))
        # pickle is what --instrument python records, and only that
        for args, msg in (
                (["--cmd", "true", "--instrument", "python", "--codec", "raw"],
                 "--codec raw cannot go with --instrument python"),
                (["-w", "sumsq", "--codec", "pickle"],
                 "--codec pickle is a Python program's own: it needs --cmd with --instrument "
                 "python"),
                (["--cmd", "true", "--codec", "pickle"],
                 "--codec pickle is a Python program's own")):
            r = mpbtest.mpbench(["sweep"] + args + ["-o", "r.json"] + QUICK, self.dir,
                                RUN_TIMEOUT_S)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(msg, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.dir, "r.json")))


if __name__ == "__main__":
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[1:], exit=False, verbosity=2)
    sys.exit(0 if prog.result.wasSuccessful() else 1)

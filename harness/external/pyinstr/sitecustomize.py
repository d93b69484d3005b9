"""sitecustomize.py — mpbench's instrumentation of an unmodified Python pool.

`mpbench sweep --cmd '...' --instrument python` writes this file into a
directory of its own and prepends that directory to PYTHONPATH, so that every
Python process of the command (the script, and its spawn and forkserver
workers, which inherit the environment) imports it at start-up. It does
nothing unless MPBENCH_PY_DIR names the run's record directory; then it
patches, as they are imported, multiprocessing.reduction.ForkingPickler
(dumps/loads: pickling time and bytes), multiprocessing.pool (Pool's
constructor, close/terminate/join and its worker loop) and
concurrent.futures.process (ProcessPoolExecutor's constructor, shutdown and
worker loop). Standard library only; it never changes what the script
computes, prints or returns. The record formats are read by
harness/external/pyrecord.c, which documents them:

 - each worker maps w-<pid>.bin (RECORD_SLOTS little-endian u64) and
   updates it in place after every message, so what it did survives a
   terminate(); it opens its own perf counters (the plan mpbench passes in
   MPBENCH_PY_COUNTERS) when its loop starts, and reads them, its rusage and
   its smaps_rollup into the end block of its record when its loop ends (a
   Pool's terminate() kills its workers first: their memory is taken by the
   pool's process just before);
 - the process that constructed the first pool writes p-<pid>.json when that
   pool's teardown ends and again at exit.

Only the first pool a process constructs is measured (later ones are
counted); a ThreadPool is not a process pool and is left alone. A system
sitecustomize that this file shadows is run afterwards.
"""
import os
import sys

_DIR = os.environ.get("MPBENCH_PY_DIR")

# slots of a record (pyrecord.h lists the same)
MAGIC, PID, PPID, KIND, STARTED, READY, TASKS, MSGS, COMPUTE, LOADS_NS, DUMPS_NS, \
    IDLE, SEND, BYTES_IN, BYTES_OUT, IN_GET, LAST_PUT, T_TASK, UTIME, STIME, MAXRSS, \
    MINFLT, MAJFLT, NVCSW, NIVCSW, RU_AT, FIRST_DUMP, LAST_LOAD, NDUMPS, NLOADS, LAST_GET, \
    FIRST_LOAD = range(32)
NSLOTS = 32
# the end block that follows them: the worker's own counters and memory,
# taken once at the start and the end of its loop (pyrecord.h: the same)
E_OPEN_NS, E_COUNTED, E_READOUT_NS, E_ENDED, E_NCOUNTERS, E_SPLIT, E_MEMORY, E_RSS, E_PSS, \
    E_PRIVATE_DIRTY = range(NSLOTS, NSLOTS + 10)
E_COUNTERS = NSLOTS + 16  # then 4 slots per event: value, enabled, running, state | errno << 32
NCOUNTERS_MAX = 16
RECORD_SLOTS = E_COUNTERS + 4 * NCOUNTERS_MAX
WORKER_MAGIC = 0x313057595042504d  # "MPBPYW01" read as a little-endian u64
KIND_POOL, KIND_EXECUTOR = 1, 2
KIND_NAMES = {KIND_POOL: "multiprocessing.Pool",
              KIND_EXECUTOR: "concurrent.futures.ProcessPoolExecutor"}

_now = None
_M = None          # this process's counters: an array in a parent, the mapped record in a worker
_first = None      # the first pool this process constructed: its phase times
_pools = 0
_ORIG = {}


class _First:
    __slots__ = ("kind", "method", "processes", "t0", "ctor_end", "td_start", "td_end",
                 "snap", "pids", "killed")

    def __init__(self, kind, t0):
        self.kind, self.t0 = kind, t0
        self.method, self.processes, self.ctor_end = "", 0, 0
        self.td_start = self.td_end = 0
        self.snap = None
        self.pids = set()
        self.killed = ""


# ---- pickling, in every process: ForkingPickler is what connections and queues use
def _patch_reduction(mod):
    fp = mod.ForkingPickler
    dumps = fp.dumps.__func__
    loads = fp.loads
    now = _now

    def timed_dumps(cls, obj, protocol=None):
        t = now()
        b = dumps(cls, obj, protocol)
        m = _M
        m[DUMPS_NS] += now() - t
        m[BYTES_OUT] += len(b)
        m[NDUMPS] += 1
        if not m[FIRST_DUMP]:
            m[FIRST_DUMP] = t
        return b

    def timed_loads(data, *args, **kwargs):
        t = now()
        obj = loads(data, *args, **kwargs)
        t2 = now()
        m = _M
        m[LOADS_NS] += t2 - t
        m[BYTES_IN] += len(data)
        m[NLOADS] += 1
        m[LAST_LOAD] = t2
        if not m[FIRST_LOAD]:
            m[FIRST_LOAD] = t2
        return obj

    fp.dumps = classmethod(timed_dumps)
    fp.loads = staticmethod(timed_loads)


# ---- a worker: its record, and its input and output queues timed
def _open_record(kind):
    import mmap
    path = os.path.join(_DIR, "w-%d.bin" % os.getpid())
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        os.ftruncate(fd, RECORD_SLOTS * 8)
        mm = mmap.mmap(fd, RECORD_SLOTS * 8)
    finally:
        os.close(fd)
    m = memoryview(mm).cast("Q")
    m[PID] = os.getpid()
    m[PPID] = os.getppid()
    m[KIND] = kind
    m[STARTED] = _now()
    m[MAGIC] = WORKER_MAGIC
    return m


def _rusage(m, t):
    import resource
    ru = resource.getrusage(resource.RUSAGE_SELF)
    m[UTIME] = int(ru.ru_utime * 1e9)
    m[STIME] = int(ru.ru_stime * 1e9)
    m[MAXRSS] = ru.ru_maxrss
    m[MINFLT] = ru.ru_minflt
    m[MAJFLT] = ru.ru_majflt
    m[NVCSW] = ru.ru_nvcsw
    m[NIVCSW] = ru.ru_nivcsw
    m[RU_AT] = t


def _time_queues(inq, outq, m, items):
    """Time the worker loop through its queues: get() → its task's start,
    put() → its end. The loop itself is the library's, unchanged."""
    global _M
    _M = m
    get, put, now = inq.get, outq.put, _now

    # the slots are written in an order that keeps the record consistent
    # (its parts within its window) wherever a SIGTERM cuts in
    def timed_get(*args, **kwargs):
        t = now()
        if not m[READY]:
            m[READY] = t
            _rusage(m, t)
        m[IN_GET] = t
        c0 = m[LOADS_NS]
        task = get(*args, **kwargs)
        t2 = now()
        m[LAST_GET] = t2
        if task is not None:
            m[T_TASK] = t2
        m[IN_GET] = 0
        m[IDLE] += t2 - t - (m[LOADS_NS] - c0)
        if task is not None:
            try:
                m[TASKS] += items(task)
            except Exception:
                m[TASKS] += 1
            m[MSGS] += 1
        return task

    def timed_put(obj, *args, **kwargs):
        t = now()
        m[LAST_PUT] = t
        if m[T_TASK]:
            m[COMPUTE] += t - m[T_TASK]
            m[T_TASK] = 0
        c0 = m[DUMPS_NS]
        put(obj, *args, **kwargs)
        t2 = now()
        m[LAST_PUT] = t2
        m[SEND] += t2 - t - (m[DUMPS_NS] - c0)
        if t2 - m[RU_AT] > 20000000:
            _rusage(m, t2)
        return None

    inq.get = timed_get
    outq.put = timed_put


def _start_worker(kind, inq, outq, items):
    try:
        m = _open_record(kind)
        _time_queues(inq, outq, m, items)
        _begin_worker(m)
    except Exception:  # never in the way of the worker: it runs untimed
        pass


# ---- a worker's own counters and memory, as mpbench's native workers take
# theirs (harness/counters/counters.h): it counts itself from the start of
# its loop (before its first wait for a task) to the end of it
_W = None          # the worker's record, once its counters are open
_COUNTERS = None   # (fds, leads) of the open counters
_ENDED = False
PERF_FLAG_FD_CLOEXEC = 8
PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP = 0x2400, 0x2401, 1
ATTR = "<IIQQQQQIIQQ"  # struct perf_event_attr up to config2 (PERF_ATTR_SIZE_VER1: 72 bytes)


def _attr(ev, disabled):
    """The perf_event_attr of plan event ev = (type, flags, config, config1,
    config2), as mpb_counter_spec_attr makes it: read format with the times
    enabled and running, the hypervisor excluded, the MPB_CSPEC_* flags."""
    import struct
    typ, flags, config, config1, config2 = ev
    bits = (disabled | (flags & 1) << 4 | (flags >> 1 & 1) << 5 | 1 << 6 | (flags >> 3 & 1) << 7
            | (flags >> 8 & 3) << 15 | (flags >> 4 & 1) << 19 | (flags >> 5 & 1) << 20)
    return struct.pack(ATTR, typ, 72, config, 0, 0, 3, bits, 0, 0, config1, config2)


def _open_counters(text, m):
    """Open the plan text ("<nr> 1;<n>;type,flags,config,config1,config2,leader;...",
    hex) on this process, as counters.c's mpb_counters_open does: each group
    together, led by its leader, or, when a member cannot join, each of its
    events alone; a failure is left in the event's slots as its errno."""
    import ctypes
    import fcntl
    nr, plan = text.split(" ", 1)
    parts = plan.split(";")
    if parts[0] != "1" or sys.byteorder != "little":
        return None
    n = min(int(parts[1], 16), NCOUNTERS_MAX)
    evs, leader = [], []
    for p in parts[2:2 + n]:
        v = [int(x, 16) for x in p.split(",")]
        evs.append(tuple(v[:5]))
        leader.append(v[5])
    syscall = ctypes.CDLL(None, use_errno=True).syscall
    syscall.restype = ctypes.c_long
    nr = int(nr)
    fds, leads, errs = [-1] * n, [False] * n, [0] * n
    split = 0

    def leads_group(i):
        ld = leader[i]
        return ld == i or ld >= n or leader[ld] != ld

    def open_one(i, group, disabled):
        fd = syscall(nr, _attr(evs[i], disabled), 0, -1, group, PERF_FLAG_FD_CLOEXEC)
        return fd if fd >= 0 else -(ctypes.get_errno() or 22)

    for ld in range(n):
        if not leads_group(ld):
            continue
        group = [ld] + [i for i in range(n) if i != ld and not leads_group(i) and leader[i] == ld]
        fd = open_one(ld, -1, 1)
        ok = fd >= 0
        if ok:
            fds[ld], leads[ld] = fd, True
            for i in group[1:]:
                fds[i] = open_one(i, fd, 0)
                if fds[i] < 0:
                    ok = False
                    break
        if not ok:
            for i in group:
                if fds[i] >= 0:
                    os.close(fds[i])
                fds[i], leads[i] = -1, False
            for i in group:
                if len(group) > 1:
                    split |= 1 << i
                fd = open_one(i, -1, 1)
                if fd < 0:
                    errs[i] = -fd
                else:
                    fds[i], leads[i] = fd, True
    for ld in range(n):
        if not leads[ld]:
            continue
        try:
            fcntl.ioctl(fds[ld], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP)
        except OSError as e:  # a group that cannot start counts nothing: say why for each
            for i in range(n):
                if fds[i] >= 0 and (i == ld or (not leads[i] and leader[i] == ld)):
                    os.close(fds[i])
                    fds[i], leads[i], errs[i] = -1, False, e.errno
    m[E_NCOUNTERS] = n
    m[E_SPLIT] = split
    for i in range(n):
        if errs[i]:
            m[E_COUNTERS + 4 * i + 3] = 2 | errs[i] << 32
    return fds, leads


def _begin_worker(m):
    """Open the worker's counters; the time it takes is the
    instrumentation's, inside the pool's start-up. (No SIGTERM handler: a
    Python-level one runs only when the interpreter next gets control, so a
    SIGTERM that lands just before a worker blocks on its queue's lock would
    be lost, and terminate() would wait for that worker for ever.)"""
    global _W, _COUNTERS
    t = _now()
    text = os.environ.get("MPBENCH_PY_COUNTERS")
    if text:
        try:
            _COUNTERS = _open_counters(text, m)
        except Exception:
            _COUNTERS = None
    _W = m
    t2 = _now()
    m[E_COUNTED] = t2
    m[E_OPEN_NS] = t2 - t


def _end_worker():
    """The worker's read-out at the end of its loop: its counters (stopped
    first, so the rest is not counted), rusage and smaps_rollup."""
    global _ENDED, _COUNTERS
    m = _W
    if m is None or _ENDED or m[PID] != os.getpid():
        return
    _ENDED = True
    t = _now()
    c, _COUNTERS = _COUNTERS, None
    if c is not None:
        import fcntl
        import struct
        fds, leads = c
        for i, fd in enumerate(fds):
            if leads[i]:
                try:
                    fcntl.ioctl(fd, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP)
                except OSError:
                    pass
        for i, fd in enumerate(fds):
            if fd < 0:
                continue
            at = E_COUNTERS + 4 * i
            try:
                v = struct.unpack("<QQQ", os.read(fd, 24))
                m[at], m[at + 1], m[at + 2], m[at + 3] = v[0], v[1], v[2], 1
            except OSError as e:
                m[at + 3] = 2 | (e.errno or 5) << 32
            except struct.error:  # a short read
                m[at + 3] = 2 | 5 << 32  # EIO, as counter_source_perf.c says it
            os.close(fd)
    _rusage(m, t)
    mem = _memory("self")
    if mem:
        for slot, v in mem.items():
            m[slot] = v
        m[E_MEMORY] = 1
    t2 = _now()
    m[E_READOUT_NS] = t2 - t
    m[E_ENDED] = t2


_MEMORY_KEYS = {b"Rss": E_RSS, b"Pss": E_PSS, b"Private_Dirty": E_PRIVATE_DIRTY}


def _memory(pid):
    """{slot: kB} of Rss, Pss and Private_Dirty from /proc/PID/smaps_rollup,
    or None."""
    out = {}
    try:
        with open("/proc/%s/smaps_rollup" % pid, "rb") as fh:
            for line in fh.read().split(b"\n"):
                key, _, val = line.partition(b":")
                slot = _MEMORY_KEYS.get(key)
                if slot is not None:
                    out[slot] = int(val.split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return out if len(out) == len(_MEMORY_KEYS) else None


def _memory_of_workers(pids):
    """terminate() kills the Pool's workers where they stand, before the end
    of their loop: take the memory of each that has not read itself out, as
    it is now, into its record, before the teardown's window opens (the
    worker's counters cannot be read from here: they stay null)."""
    import struct
    for pid in pids:
        try:
            fd = os.open(os.path.join(_DIR, "w-%d.bin" % pid), os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            head = os.pread(fd, 8, 0)
            ended = os.pread(fd, 8, E_ENDED * 8)
            if len(head) == 8 and len(ended) == 8 and \
                    struct.unpack("<Q", head)[0] == WORKER_MAGIC and ended == bytes(8):
                mem = _memory(pid)
                for slot, v in (mem or {}).items():
                    os.pwrite(fd, struct.pack("<Q", v), slot * 8)
                if mem:
                    os.pwrite(fd, struct.pack("<Q", 1), E_MEMORY * 8)
        except OSError:
            pass
        finally:
            os.close(fd)


def _pool_items(task):
    func = task[2]
    if func is _ORIG.get("mapstar") or func is _ORIG.get("starmapstar"):
        return len(task[3][0][1])  # (job, i, mapstar, ((func, chunk),), {})
    return 1


def _executor_items(item):
    fn = getattr(item, "fn", None)
    if getattr(fn, "func", None) is _ORIG.get("process_chunk"):
        return len(item.args[0])
    return 1


def _pool_worker(inqueue, outqueue, *args, **kwargs):
    import multiprocessing.pool  # noqa: F401 (patched on import: _ORIG filled)
    _start_worker(KIND_POOL, inqueue, outqueue, _pool_items)
    try:
        return _ORIG["worker"](inqueue, outqueue, *args, **kwargs)
    finally:
        _end_worker()


def _executor_worker(call_queue, result_queue, *args, **kwargs):
    import concurrent.futures.process  # noqa: F401
    _start_worker(KIND_EXECUTOR, call_queue, result_queue, _executor_items)
    try:
        return _ORIG["process_worker"](call_queue, result_queue, *args, **kwargs)
    finally:
        _end_worker()


# ---- the process that constructs a pool
def _begin(kind):
    global _first, _pools
    _pools += 1
    if _first is not None:
        return None
    if os.environ.get("MPBENCH_PY_COUNTERS"):
        # before the pool's window opens: fork workers find ctypes imported
        # (the others import it inside their counter open, counted there)
        import ctypes  # noqa: F401
    t0 = _now()
    for k in range(NSLOTS):
        _M[k] = 0
    _first = _First(kind, t0)
    return _first


def _constructed(f, method, processes, pids):
    f.ctor_end = _now()
    f.method, f.processes = method, processes
    f.pids.update(pids)


def _teardown_start(f, pids):
    if f is not _first or f is None:
        return
    if not f.td_start:
        f.td_start = _now()
        f.snap = list(_M)
    f.pids.update(p for p in pids if p)


def _teardown_end(f):
    if f is not _first or f is None:
        return
    f.td_end = _now()
    _write_parent()


def _write_parent():
    f = _first
    if f is None:
        return
    s = f.snap if f.snap is not None else list(_M)
    nums = {
        "pid": os.getpid(), "pools": _pools, "processes": f.processes, "t0_ns": f.t0,
        "ctor_end_ns": f.ctor_end, "first_dump_ns": s[FIRST_DUMP], "first_load_ns": s[FIRST_LOAD],
        "last_load_ns": s[LAST_LOAD],
        "teardown_start_ns": f.td_start, "teardown_end_ns": f.td_end,
        "dumps_ns": s[DUMPS_NS], "loads_ns": s[LOADS_NS], "bytes_sent": s[BYTES_OUT],
        "bytes_received": s[BYTES_IN], "dumps": s[NDUMPS], "loads": s[NLOADS],
    }
    v = sys.version_info
    strs = {"kind": KIND_NAMES[f.kind], "start_method": f.method,
            "python": "%d.%d.%d" % (v[0], v[1], v[2]),
            "implementation": sys.implementation.name, "killed": f.killed}
    text = "{" + ", ".join(['"%s": %d' % kv for kv in nums.items()] +
                           ['"%s": "%s"' % (k, "".join(c if c.isalnum() or c in " ._-:" else "?"
                                                       for c in s_))
                            for k, s_ in strs.items()] +
                           ['"worker_pids": [%s]' % ", ".join(str(p) for p in sorted(f.pids))]) + "}\n"
    path = os.path.join(_DIR, "p-%d.json" % os.getpid())
    try:
        with open(path + ".tmp", "w") as out:
            out.write(text)
        os.replace(path + ".tmp", path)
    except OSError:
        pass


def _record_of(pid):
    """A worker's record as numbers, or None."""
    try:
        with open(os.path.join(_DIR, "w-%d.bin" % pid), "rb") as fh:
            raw = fh.read(NSLOTS * 8)
    except OSError:
        return None
    if len(raw) < NSLOTS * 8:
        return None
    return memoryview(raw).cast("Q")


def _check_exited(f, workers):
    """A Pool worker that died by a signal in the middle of a task leaves its
    map waiting forever (multiprocessing.Pool does not resubmit): end the
    script, with the cause on stderr and in the record, instead of hanging."""
    if f is not _first or f is None or f.td_start:
        return
    for w in workers:
        code = w.exitcode
        if code is None or code >= 0:
            continue
        r = _record_of(w.pid)
        if r is not None and r[T_TASK] and not r[IN_GET]:
            f.killed = "worker %d killed by signal %d during a task" % (w.pid, -code)
            sys.stderr.write("mpbench --instrument python: multiprocessing.Pool %s; the "
                             "pool would wait for its result forever: exiting with "
                             "status 1\n" % f.killed)
            sys.stderr.flush()
            _write_parent()
            _unlink_semaphores()
            os._exit(1)


def _unlink_semaphores():
    """os._exit skips multiprocessing's finalizers: run the ones that unlink
    the pool's named semaphores (a spawn or forkserver pool's), as a normal
    exit would; left registered, the resource tracker warns of them on
    stderr after the cause, which then falls out of the error's tail."""
    try:
        from multiprocessing import synchronize, util
        for fin in list(util._finalizer_registry.values()):
            if getattr(fin, "_callback", None) is synchronize.SemLock._cleanup:
                fin()
    except Exception:
        pass


def _patch_pool(mod):
    _ORIG["worker"] = mod.worker
    _ORIG["mapstar"] = mod.mapstar
    _ORIG["starmapstar"] = mod.starmapstar
    mod.worker = _pool_worker
    cls = mod.Pool
    thread_pool = mod.ThreadPool
    init, close, terminate, join = cls.__init__, cls.close, cls.terminate, cls.join
    joined = cls._join_exited_workers

    def __init__(self, *args, **kwargs):
        f = None if isinstance(self, thread_pool) else _begin(KIND_POOL)
        self._mpbench_first = f
        init(self, *args, **kwargs)
        if f is not None:
            _constructed(f, self._ctx.get_start_method(), self._processes,
                         [p.pid for p in self._pool])

    def pids(self):
        return [p.pid for p in getattr(self, "_pool", ())]

    def _close(self):
        f = getattr(self, "_mpbench_first", None)
        _teardown_start(f, pids(self))
        close(self)
        _teardown_end(f)

    def _terminate(self):
        f = getattr(self, "_mpbench_first", None)
        if f is not None and f is _first and not f.td_start:
            _memory_of_workers(pids(self))
        _teardown_start(f, pids(self))
        terminate(self)
        _teardown_end(f)

    def _join(self):
        f = getattr(self, "_mpbench_first", None)
        join(self)
        if f is not None and f.td_start:
            _teardown_end(f)

    # judge the workers the library itself found dead and removed: asking
    # each worker's exitcode before the library does would race with it (a
    # worker that dies between the two looks alive to us and is then
    # replaced by the library, and its lost task waits for ever)
    def _joined(pool):
        before = list(pool)
        cleaned = joined(pool)
        if cleaned:
            _check_exited(_first, [w for w in before if not any(w is x for x in pool)])
        return cleaned

    cls.__init__, cls.close, cls.terminate, cls.join = __init__, _close, _terminate, _join
    cls._join_exited_workers = staticmethod(_joined)


def _patch_executor(mod):
    _ORIG["process_worker"] = mod._process_worker
    _ORIG["process_chunk"] = mod._process_chunk
    mod._process_worker = _executor_worker
    cls = mod.ProcessPoolExecutor
    init, shutdown = cls.__init__, cls.shutdown

    def __init__(self, *args, **kwargs):
        f = _begin(KIND_EXECUTOR)
        self._mpbench_first = f
        init(self, *args, **kwargs)
        if f is not None:
            _constructed(f, self._mp_context.get_start_method(), self._max_workers, ())

    def _shutdown(self, *args, **kwargs):
        f = getattr(self, "_mpbench_first", None)
        _teardown_start(f, list((getattr(self, "_processes", None) or {}).keys()))
        shutdown(self, *args, **kwargs)
        _teardown_end(f)

    cls.__init__, cls.shutdown = __init__, _shutdown


_PATCHES = {
    "multiprocessing.reduction": _patch_reduction,
    "multiprocessing.pool": _patch_pool,
    "concurrent.futures.process": _patch_executor,
}


class _Loader:
    """Runs a module's own loader, then patches the module."""

    def __init__(self, inner, patch):
        self.inner, self.patch = inner, patch

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        try:
            self.patch(module)
        except Exception as e:  # an unknown library version: measure less, never fail
            sys.stderr.write("mpbench --instrument python: %s not instrumented (%r)\n"
                             % (module.__name__, e))


class _Finder:
    """Patches the modules of _PATCHES when they are first imported, so that
    a script that uses neither pays nothing for them."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is cls or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader, patch)
                return spec
        return None


def _install():
    global _now, _M
    import array
    import time
    _now = time.monotonic_ns
    _M = array.array("Q", [0] * NSLOTS)
    sys.meta_path.insert(0, _Finder)
    import atexit
    atexit.register(_write_parent)


def _chain():
    """Run the sitecustomize this one shadows, as Python would have."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or ".") != here]
    if not any(os.path.exists(os.path.join(p or ".", "sitecustomize.py")) for p in path):
        return
    import importlib.machinery
    import importlib.util
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


if _DIR and "multiprocessing" not in sys.modules:
    _install()
_chain()

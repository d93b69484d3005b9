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
   updates it in place with every message (as its result is pickled, before
   it is sent), so what it did survives a terminate(); it opens its own perf
   counters (the plan mpbench passes in MPBENCH_PY_COUNTERS) when its loop
   starts, recording their descriptor numbers, and reads them, its rusage
   and its smaps_rollup into the end block of its record when its loop ends
   (a Pool's terminate() may kill a worker first: the pool's process reads
   that worker's memory and, through pidfd_getfd, its counters into its
   record just before, _read_out_workers);
 - the process that constructed the first pool writes p-<pid>.json when that
   pool's teardown ends and again at exit.

Only the first pool a process constructs is measured (later ones are
counted); a ThreadPool is not a process pool and is left alone. A system
sitecustomize that this file shadows is run afterwards.
"""
import os
import sys

_DIR = os.environ.get("MPBENCH_PY_DIR")

# the slots of a worker record (pyrecord.h lists the same). TASKS to T_TASK
# change with every message and are written with one pack_into as each
# result is pickled; the others as they change, which is seldom. A pickling
# call that moves at least LARGE bytes is also counted among the large ones
# (calls, ns, per-call minimum and maximum), apart from the pool's small
# messages (results, sentinels) that would hide its per-call figures
MAGIC, PID, PPID, KIND, STARTED, READY, UTIME, STIME, MAXRSS, MINFLT, MAJFLT, NVCSW, \
    NIVCSW, RU_AT, TASKS, MSGS, COMPUTE, LOADS_NS, DUMPS_NS, IDLE, SEND, BYTES_IN, \
    BYTES_OUT, NLOADS, NDUMPS, LAST_PUT, IN_GET, T_TASK, LAST_GET, LOADS_LARGE = range(30)
LARGE_CALLS, LARGE_NS, LARGE_MIN, LARGE_MAX = range(4)  # from LOADS_LARGE, DUMPS_LARGE
DUMPS_LARGE = LOADS_LARGE + 4
NSLOTS = DUMPS_LARGE + 4
LARGE = 32768
# counters kept in _C beyond a record: a parent's, and the last pickling
# call's times (a worker's queue timing reads them)
LAST_LOAD, FIRST_DUMP, FIRST_LOAD, LOAD_T0, DUMP_T1, PUTTING, CODEC_PRE = \
    range(NSLOTS, NSLOTS + 7)
NCOUNTS = NSLOTS + 7
NONE_YET = (1 << 64) - 1  # a minimum before the first call
# the end block that follows them: the worker's own counters and memory,
# taken once at the start and the end of its loop (pyrecord.h: the same)
E_OPEN_NS, E_COUNTED, E_READOUT_NS, E_ENDED, E_NCOUNTERS, E_SPLIT, E_MEMORY, E_RSS, E_PSS, \
    E_PRIVATE_DIRTY, E_FDS = range(NSLOTS, NSLOTS + 11)
# E_FDS: 4 slots of four 16-bit fields, event i's open counter fd + 1 in
# field i (0: none), for the pool's process to take them before terminate();
# E_TAKEN: nonzero, it did (its read-out, at this time); E_TAKE_FAILED: bit
# i, event i could not be taken (its state says why)
E_TAKEN, E_TAKE_FAILED = NSLOTS + 14, NSLOTS + 15
E_COUNTERS = NSLOTS + 16  # then 4 slots per event: value, enabled, running, state | errno << 32
NCOUNTERS_MAX = 16
FD_FIELDS = 4  # per E_FDS slot
FD_SLOTS = NCOUNTERS_MAX // FD_FIELDS
RECORD_SLOTS = E_COUNTERS + 4 * NCOUNTERS_MAX
WORKER_MAGIC = 0x323057595042504d  # "MPBPYW02" read as a little-endian u64
KIND_POOL, KIND_EXECUTOR = 1, 2
KIND_NAMES = {KIND_POOL: "multiprocessing.Pool",
              KIND_EXECUTOR: "concurrent.futures.ProcessPoolExecutor"}

_now = None
# this process's counters: a list (its items are the cheapest to update);
# a worker also maps its record, _R, and copies them there
_C = None
_R = None
_FLUSH = None      # a worker's: writes its counters to its record
_first = None      # the first pool this process constructed: its phase times
_pools = 0
_ORIG = {}


def _reset():
    _C[:] = [0] * NCOUNTS
    _C[LOADS_LARGE + LARGE_MIN] = _C[DUMPS_LARGE + LARGE_MIN] = NONE_YET


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


# ---- pickling, in every process: ForkingPickler is what connections and
# queues use. Each call costs two clock reads and a few list updates; a
# large call's time is also kept per call (minimum and maximum), and a
# worker's result, about to be sent, writes the worker's record.
def _patch_reduction(mod):
    _ORIG["fp"] = fp = mod.ForkingPickler
    _ORIG["dumps"] = fp.dumps.__func__
    _ORIG["loads"] = fp.loads
    fp, dumps, loads = _ORIG["fp"], _ORIG["dumps"], _ORIG["loads"]
    now, C = _now, _C

    def timed_dumps(cls, obj, protocol=None):
        t = now()
        b = dumps(cls, obj, protocol)
        t2 = now()
        d = t2 - t
        C[DUMPS_NS] += d
        n = len(b)
        C[BYTES_OUT] += n
        C[NDUMPS] += 1
        C[DUMP_T1] = t2
        if n >= LARGE:
            _large(DUMPS_LARGE, d)
        if C[PUTTING]:  # a worker's result (_time_queues): its task ended at t
            _result_pickled(t, t2)
        elif not C[FIRST_DUMP]:
            C[FIRST_DUMP] = t
        return b

    def timed_loads(data, *args, **kwargs):
        t = now()
        obj = loads(data, *args, **kwargs) if args or kwargs else loads(data)
        t2 = now()
        d = t2 - t
        C[LOADS_NS] += d
        n = len(data)
        C[BYTES_IN] += n
        C[NLOADS] += 1
        if n >= LARGE:
            _large(LOADS_LARGE, d)
        C[LOAD_T0] = t
        C[LAST_LOAD] = t2
        if not C[FIRST_LOAD]:
            C[FIRST_LOAD] = t2
            # the parent's pickling up to its first result: part of it may
            # precede the map window (pyrecord.c apportions it)
            C[CODEC_PRE] = C[DUMPS_NS] + C[LOADS_NS]
        return obj

    fp.dumps = classmethod(timed_dumps)
    fp.loads = staticmethod(timed_loads)


def _large(k, d):
    """A large pickling call (at least LARGE bytes) of d ns, counted from
    slot k; in a worker, to its record too."""
    C = _C
    C[k + LARGE_CALLS] += 1
    C[k + LARGE_NS] += d
    if d < C[k + LARGE_MIN]:
        C[k + LARGE_MIN] = d
    if d > C[k + LARGE_MAX]:
        C[k + LARGE_MAX] = d
    if _R is not None:
        _R[k:k + 4] = _array("Q", C[k:k + 4])


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
    _reset()
    C = _C
    C[PID] = os.getpid()
    C[PPID] = os.getppid()
    C[KIND] = kind
    C[STARTED] = _now()
    m = memoryview(mm).cast("Q")
    m[:NSLOTS] = _array("Q", C[:NSLOTS])
    m[MAGIC] = WORKER_MAGIC
    return m


def _array(code, items):
    import array
    return array.array(code, items)


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
    m[RU_AT] = _C[RU_AT] = t


def _time_queues(inq, outq, m, items):
    """Time the worker loop through its queues: get() → its task's start,
    put() → its end. The loop itself is the library's, unchanged. The times
    are the pickling calls' own where they coincide (a get ends with its
    message's loads, a put begins with its result's dumps), so that a
    message costs five clock reads in all. The counters go to the record
    with one write when the result is pickled, before it is sent (the
    parent, once it has the last result, may terminate the worker at once),
    and whether the worker is in a task or waiting for one as it changes,
    so that a terminated or killed worker leaves what it did."""
    global _R, _FLUSH
    import struct
    get, put, now, C = inq.get, outq.put, _now, _C
    pack, raw, at = struct.Struct("<%dQ" % (LAST_GET - TASKS)).pack_into, m.obj, TASKS * 8

    def flush():
        pack(raw, at, *C[TASKS:LAST_GET])

    def timed_get(*args, **kwargs):
        if not C[READY]:  # its first wait for a task
            t = now()
            C[READY] = C[IN_GET] = m[IN_GET] = t
            m[READY] = t
            _rusage(m, t)
        task = get(*args, **kwargs) if args or kwargs else get()
        try:
            t = C[LAST_LOAD]  # the end of this message's loads
            C[IDLE] += C[LOAD_T0] - C[IN_GET]
            C[IN_GET] = 0
            if task is not None:
                m[T_TASK] = C[T_TASK] = t
                C[TASKS] += items(task)
                C[MSGS] += 1
                m[IN_GET] = 0
            else:  # the loop's end: no result follows to write the record
                flush()
                m[LAST_GET] = t
        except Exception:  # never in the worker's way
            pass
        return task

    def timed_put(obj, *args, **kwargs):
        C[PUTTING] = 1
        if args or kwargs:
            put(obj, *args, **kwargs)
        else:
            put(obj)
        t = now()
        try:
            C[SEND] += t - C[DUMP_T1]
            C[LAST_PUT] = C[IN_GET] = t  # the loop waits for its next task
            m[SEND] = C[SEND]
            m[LAST_PUT] = m[IN_GET] = t
            if t - C[RU_AT] > 20000000:
                _rusage(m, t)
        except Exception:
            pass

    _FLUSH = flush
    inq.get = timed_get
    outq.put = timed_put
    _R = m


def _result_pickled(t, t2):
    """A worker's result pickled from t to t2, about to be sent: its task
    ended at t; the record is written now, as the parent, once it has the
    last result, may terminate the worker at once."""
    C = _C
    C[PUTTING] = 0
    try:
        if C[T_TASK]:
            C[COMPUTE] += t - C[T_TASK]
            C[T_TASK] = 0
        C[LAST_PUT] = C[IN_GET] = t2  # until put() returns
        _FLUSH()
    except Exception:  # never in the worker's way
        pass


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
    syscall, get_errno = _syscall_fn()
    nr = int(nr)
    fds, leads, errs = [-1] * n, [False] * n, [0] * n
    split = 0

    def leads_group(i):
        ld = leader[i]
        return ld == i or ld >= n or leader[ld] != ld

    def open_one(i, group, disabled):
        fd = syscall(nr, _attr(evs[i], disabled), 0, -1, group, PERF_FLAG_FD_CLOEXEC)
        return fd if fd >= 0 else -(get_errno() or 22)

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
        elif 0 <= fds[i] < 0xffff:  # for the pool's process (_read_out_workers)
            m[E_FDS + i // FD_FIELDS] |= (fds[i] + 1) << 16 * (i % FD_FIELDS)
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
    for k in range(E_FDS, E_FDS + FD_SLOTS):  # its own read-out begins: not to be taken
        m[k] = 0
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
    m[E_READOUT_NS] += t2 - t  # after the pool's process's, where it read it out first
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


def _read_out_workers(pids):
    """terminate() kills the Pool's workers where they stand, before the end
    of their loop, where each reads itself out: read out, as they are now,
    those that have not, before the teardown's window opens: the memory from
    /proc/PID/smaps_rollup and the counters through duplicates of the
    worker's own descriptors (pidfd_getfd), into its record as _end_worker
    writes them, flagged E_TAKEN (not E_ENDED), the time it took as its
    read-out's. A worker that begins its own read-out meanwhile (terminate()
    races the sentinel) keeps it: its record is checked again just before
    anything is written."""
    import struct
    size = RECORD_SLOTS * 8
    for pid in pids:
        try:
            fd = os.open(os.path.join(_DIR, "w-%d.bin" % pid), os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            t = _now()
            raw = os.pread(fd, size, 0)
            if len(raw) != size:
                continue
            r = memoryview(raw).cast("Q")
            if r[MAGIC] != WORKER_MAGIC or r[E_ENDED]:
                continue
            fds = {}
            for i in range(min(r[E_NCOUNTERS], NCOUNTERS_MAX)):
                v = r[E_FDS + i // FD_FIELDS] >> 16 * (i % FD_FIELDS) & 0xffff
                if v:
                    fds[i] = v - 1
            counts = _take_counters(pid, fds) if fds else {}
            mem = _memory(pid)
            at, end = E_ENDED * 8, (E_FDS + FD_SLOTS) * 8
            now = os.pread(fd, end - at, at)
            if now[:8] != bytes(8) or now[(E_FDS - E_ENDED) * 8:] != raw[E_FDS * 8:end]:
                continue  # its own read-out has begun
            if mem:
                os.pwrite(fd, struct.pack("<4Q", 1, mem[E_RSS], mem[E_PSS],
                                          mem[E_PRIVATE_DIRTY]), E_MEMORY * 8)
            failed = 0
            for i, c in counts.items():
                os.pwrite(fd, struct.pack("<4Q", *c), (E_COUNTERS + 4 * i) * 8)
                if c[3] != 1:
                    failed |= 1 << i
            t2 = _now()
            os.pwrite(fd, struct.pack("<Q", t2 - t), E_READOUT_NS * 8)
            os.pwrite(fd, struct.pack("<2Q", t2, failed), E_TAKEN * 8)
        except OSError:
            pass
        finally:
            os.close(fd)


_SYSCALL = None
PIDFD_OPEN, PIDFD_GETFD = 434, 438  # the same on every architecture (but alpha)


def _syscall_fn():
    """(the C library's syscall(2), get_errno), through the _ctypes module
    alone: the ctypes package around it costs 1.3-3.6 ms to import, _ctypes
    0.35 ms (python3 -X importtime), in every spawn and forkserver worker
    that opens counters. Made once per process; a fork worker inherits its
    parent's (_begin makes it before the pool's window opens)."""
    global _SYSCALL
    if _SYSCALL is None:
        import _ctypes

        class Long(_ctypes._SimpleCData):  # ctypes.c_long
            _type_ = "l"

        class Func(_ctypes.CFuncPtr):  # ctypes.CDLL(None, use_errno=True)'s
            _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
            _restype_ = Long

        libc = _ctypes.dlopen(None, _ctypes.RTLD_LOCAL)
        _SYSCALL = (Func(_ctypes.dlsym(libc, "syscall")), _ctypes.get_errno)
    return _SYSCALL


def _syscall(*args):
    """A system call; OSError with its errno on failure."""
    call, get_errno = _syscall_fn()
    r = call(*args)
    if r < 0:
        raise OSError(get_errno() or 5, "system call %d failed" % args[0])
    return r


def _take_counters(pid, fds):
    """{event: (value, enabled, running, state | errno << 32)} of worker
    pid's open counters, fds {event: its descriptor number there}, each read
    through a duplicate (pidfd_getfd), as _end_worker reads its own; a
    failure (no pidfd_getfd before Linux 5.6: ENOSYS; ptrace access denied:
    EPERM) leaves the errno in the state."""
    import struct
    out = {}

    def fail(err):
        return 0, 0, 0, 2 | (err or 5) << 32

    try:
        pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else _syscall(PIDFD_OPEN, pid, 0)
    except OSError as e:
        return {i: fail(e.errno) for i in fds}
    try:
        for i, target in fds.items():
            try:
                fd = _syscall(PIDFD_GETFD, pidfd, target, 0)
            except OSError as e:
                out[i] = fail(e.errno)
                continue
            try:
                # closed and reused by the worker's own read-out: not a counter
                if os.readlink("/proc/self/fd/%d" % fd) != "anon_inode:[perf_event]":
                    out[i] = fail(9)  # EBADF
                    continue
                v = struct.unpack("<QQQ", os.read(fd, 24))
                out[i] = v[0], v[1], v[2], 1
            except OSError as e:
                out[i] = fail(e.errno)
            except struct.error:  # a short read
                out[i] = fail(5)  # EIO, as counter_source_perf.c says it
            finally:
                os.close(fd)
    finally:
        os.close(pidfd)
    return out


def _pool_items():
    mapstar, starmapstar = _ORIG["mapstar"], _ORIG["starmapstar"]

    def items(task):
        try:
            if task[2] is mapstar or task[2] is starmapstar:
                return len(task[3][0][1])  # (job, i, mapstar, ((func, chunk),), {})
        except Exception:
            pass
        return 1
    return items


def _executor_items():
    process_chunk = _ORIG["process_chunk"]

    def items(item):
        try:
            if getattr(item.fn, "func", None) is process_chunk:
                return len(item.args[0])
        except Exception:
            pass
        return 1
    return items


def _run_worker(loop, kind, items, inq, outq, args, kwargs):
    _start_worker(kind, inq, outq, items())
    try:
        return loop(inq, outq, *args, **kwargs)
    finally:
        if _R is not None:  # the loop is over: no longer waiting for tasks
            _R[IN_GET] = 0
        _end_worker()


def _pool_worker(inqueue, outqueue, *args, **kwargs):
    import multiprocessing.pool  # noqa: F401 (patched on import: _ORIG filled)
    return _run_worker(_ORIG["worker"], KIND_POOL, _pool_items, inqueue, outqueue, args, kwargs)


def _executor_worker(call_queue, result_queue, *args, **kwargs):
    import concurrent.futures.process  # noqa: F401
    return _run_worker(_ORIG["process_worker"], KIND_EXECUTOR, _executor_items, call_queue,
                       result_queue, args, kwargs)


# ---- the process that constructs a pool
def _begin(kind):
    global _first, _pools
    _pools += 1
    if _first is not None:
        return None
    if os.environ.get("MPBENCH_PY_COUNTERS"):
        # before the pool's window opens: fork workers inherit it (the
        # others make theirs inside their counter open, counted there)
        try:
            _syscall_fn()
        except Exception:  # no C library to call: no counters either
            pass
    t0 = _now()
    _reset()
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
        f.snap = list(_C)
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
    s = f.snap if f.snap is not None else list(_C)
    nums = {
        "pid": os.getpid(), "pools": _pools, "processes": f.processes, "t0_ns": f.t0,
        "ctor_end_ns": f.ctor_end, "first_dump_ns": s[FIRST_DUMP], "first_load_ns": s[FIRST_LOAD],
        "codec_before_first_load_ns": s[CODEC_PRE],
        "last_load_ns": s[LAST_LOAD],
        "teardown_start_ns": f.td_start, "teardown_end_ns": f.td_end,
        "dumps_ns": s[DUMPS_NS], "loads_ns": s[LOADS_NS], "bytes_sent": s[BYTES_OUT],
        "bytes_received": s[BYTES_IN], "dumps": s[NDUMPS], "loads": s[NLOADS],
        "large_dumps": s[DUMPS_LARGE + LARGE_CALLS], "large_dumps_ns": s[DUMPS_LARGE + LARGE_NS],
        "large_dumps_min_ns": s[DUMPS_LARGE + LARGE_MIN] % NONE_YET,
        "large_dumps_max_ns": s[DUMPS_LARGE + LARGE_MAX],
        "large_loads": s[LOADS_LARGE + LARGE_CALLS], "large_loads_ns": s[LOADS_LARGE + LARGE_NS],
        "large_loads_min_ns": s[LOADS_LARGE + LARGE_MIN] % NONE_YET,
        "large_loads_max_ns": s[LOADS_LARGE + LARGE_MAX],
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
            # the cause last: what follows on stderr (the resource tracker's
            # warning of the semaphores this exit leaks) must leave it in
            # the tail that the point's error quotes
            sys.stderr.write("mpbench --instrument python: exiting with status 1, as the "
                             "pool would wait for ever: multiprocessing.Pool %s\n" % f.killed)
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
            _read_out_workers(pids(self))
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
    global _now, _C
    import time
    _now = time.monotonic_ns
    _C = [0] * NCOUNTS
    _reset()
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

"""The periodic leak tracer that lives inside a Python service.

Every ``interval`` it takes a filtered tracemalloc snapshot and a process sample, logs
the biggest lines (``top_current``), the growth since the first tick (``since_start``)
and the stacks of the biggest growers (``traceback``), and appends the tick to the
recording. It never raises into the host: each kind of failure is reported once and
the app goes on.
"""

from __future__ import annotations

import asyncio
import atexit
import errno
import logging
import os
import re
import signal as signals
import socket
import sys
import threading
import time
import tracemalloc
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Union

from . import events as tick_events
from . import stop_signals
from .redact import redact_argv
from .cgroup import read_cgroup_memory_limit
from .durations import parse_seconds
from .groups import GroupDiff, Totals, by_line, by_stack, compare, statistics
from .locations import LocationResolver
from .log_json import json_line_logger
from .process_metrics import ProcessMetrics
from .recorder import Recorder
from .snapshots import Stack, StackTable
from .version import VERSION

DEFAULT_INTERVAL_SECONDS = 60.0
DEFAULT_FRAMES = 8
DEFAULT_OUT_DIR = ".heapsleuth"

LoggerOption = Union[None, str, bool, logging.Logger, logging.LoggerAdapter]


@dataclass
class TickResult:
    seq: int
    # epoch milliseconds
    time: int
    # what the tick cost: process sample, snapshot, grouping
    tick_ms: float
    # the whole tracemalloc snapshot (``stacks`` leaves out the agent's and tracemalloc's own blocks)
    snapshot: tracemalloc.Snapshot
    # {stack (most recent frame first): [bytes, blocks]}
    stacks: Dict[Stack, List[int]]
    process: Dict[str, Any]
    # changes by line since the first tick, largest first
    since_start: List[GroupDiff]


class Tracer:
    """Use ``trace_leaks()`` (a daemon thread) or ``start_in_loop()`` / ``trace_leaks_async()`` (asyncio)."""

    def __init__(
        self,
        interval: Union[float, int, str] = DEFAULT_INTERVAL_SECONDS,
        top: int = 5,
        trace: int = 1,
        record: Union[str, bool] = "auto",
        out_dir: Optional[str] = None,
        service: Optional[str] = None,
        frames: int = DEFAULT_FRAMES,
        logger: LoggerOption = None,
        signal: Union[str, bool] = False,
    ) -> None:
        self.interval = parse_seconds(interval, "interval")
        if not isinstance(frames, int) or frames < 1:
            raise ValueError(f"frames must be a positive integer, got {frames!r}")
        self.top = max(0, int(top))
        self.trace = max(0, int(trace))
        self.recording_path: Optional[str] = None
        # Called after each recorded tick (native dump pickup); their failures are warned once.
        self.after_tick: List[Callable[[], None]] = []
        self._logger = _resolve_logger(logger)
        self._warned: set = set()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._ticking = False
        self._stopped = False
        self._seq = 0
        self._thread: Optional[threading.Thread] = None
        self._task: Optional["asyncio.Task[None]"] = None
        self._baseline_lines: Optional[Totals] = None
        self._baseline_stacks: Optional[Totals] = None
        self._stack_table = StackTable(LocationResolver())
        self._metrics = ProcessMetrics()
        self._recorder: Optional[Recorder] = None
        self._signal: Optional[signals.Signals] = None
        self._previous_handler: Any = None
        # the stop signal the app is shutting down on: every tick from then on is its teardown
        self._stopping: Optional[str] = None

        self._started_tracing = not tracemalloc.is_tracing()
        if self._started_tracing:
            tracemalloc.start(frames)
        self._metrics.open()
        if record is not False:
            self._open_recording(record, out_dir, service)
        if signal:
            self._listen_for_tick_signal(str(signal))
        stop_signals.listen(self._on_stop_signal)
        atexit.register(self._on_exit)
        if hasattr(os, "register_at_fork"):
            this = weakref.ref(self)  # fork hooks cannot be removed: they must not keep a stopped tracer alive
            os.register_at_fork(after_in_child=lambda: _call_if_alive(this, "_after_fork_in_child"))
        self.tick()

    def start_thread(self) -> "Tracer":
        """Ticks every ``interval`` in a daemon thread (it never keeps the process alive)."""
        if self._thread is None and not self._stopped:
            self._thread = threading.Thread(target=self._run_thread, name="heapsleuth-tracer", daemon=True)
            self._thread.start()
        return self

    async def run_async(self) -> None:
        """Ticks every ``interval`` until cancelled, each tick in the loop's executor so the loop stays free; then stops."""
        loop = asyncio.get_running_loop()
        try:
            while not self._stopped:
                await asyncio.sleep(self.interval)
                await loop.run_in_executor(None, self.tick)
        finally:
            self._finish("stop")

    def tick(self) -> Optional[TickResult]:
        """Takes a tick now. Returns None when stopped, when called from inside a tick, or when it failed."""
        return self._tick_now(None)

    def _tick_now(self, final: Optional[str]) -> Optional[TickResult]:
        if self._stopped:
            return None
        with self._lock:
            if self._ticking or self._stopped:
                return None
            self._ticking = True
            try:
                return self._tick(final or self._stopping)
            except Exception as error:  # the host comes first
                self._warn_once("tick", f"a tick failed: {_describe(error)}")
                return None
            finally:
                self._ticking = False

    def stop(self) -> None:
        """Takes a final tick, ends the recording, and stops tracemalloc if this tracer started it."""
        if self._task is not None and not self._task.done():
            self._task.cancel()  # its run_async() finishes the tracer as it unwinds
        self._finish("stop")

    @property
    def stopped(self) -> bool:
        return self._stopped

    # --- the tick ----------------------------------------------------------------------

    def _tick(self, final: Optional[str] = None) -> TickResult:
        started = time.perf_counter()
        # process first: tracemalloc's traced total then leaves out the snapshot's own lists
        process = self._metrics.sample()
        snapshot = tracemalloc.take_snapshot()
        rows = self._stack_table.live_bytes_by_stack(snapshot)
        lines = by_line(rows)
        if self._baseline_lines is None:
            self._baseline_lines = lines
            self._baseline_stacks = by_stack(rows)
        since_start = compare(lines, self._baseline_lines, "lineno")
        tick_ms = (time.perf_counter() - started) * 1000
        result = TickResult(self._seq, process["time"], tick_ms, snapshot, rows, process, since_start)
        self._seq += 1
        self._record(result, final)
        for hook in self.after_tick:
            try:
                hook()
            except Exception as error:  # the host comes first
                self._warn_once("after-tick", f"an after-tick hook failed: {_describe(error)}")
        self._log(result, lines)
        return result

    def _record(self, result: TickResult, final: Optional[str] = None) -> None:
        if self._recorder is None:
            return
        try:
            self._recorder.write_sample(result.stacks, result.process, result.tick_ms, final)
        except OSError as error:
            self._warn_once("record-write", f"cannot append to the recording {self.recording_path}: {_describe(error)}; ticks go on and are retried")

    def _log(self, result: TickResult, lines: Totals) -> None:
        logger = self._logger
        if logger is None or not logger.isEnabledFor(logging.INFO):
            return
        seq = result.seq
        events = tick_events.top_current_events(statistics(lines, "lineno"), self.top, seq)
        events += tick_events.since_start_events(result.since_start, self.top, seq)
        if self.trace > 0 and self._baseline_stacks is not None:
            growers = compare(by_stack(result.stacks), self._baseline_stacks, "traceback")
            events += tick_events.traceback_events(growers, self.trace, seq)
        events.append(tick_events.tick_event(seq, result.tick_ms, result.process["memory"]))
        try:
            for fields, message in events:
                logger.info(message, extra=fields)
        except Exception as error:
            self._warn_once("logger", f"the logger failed: {_describe(error)}")

    # --- setup and teardown -----------------------------------------------------------

    def _open_recording(self, record: Union[str, bool], out_dir: Optional[str], service: Optional[str]) -> None:
        start = time.time()
        service_name = service or default_service_name()
        if record in (True, "auto"):
            name = f"{_safe_name(service_name)}-{os.getpid()}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(start))}.ndjson"
            path = os.path.join(out_dir or DEFAULT_OUT_DIR, name)
        else:
            path = str(record)
        self.recording_path = path
        try:
            self._recorder = Recorder.open(path, self._header(service_name, start))
        except OSError as error:
            self._warn_once("record", f"cannot write the recording {path}: {_describe(error)}; going on without recording")

    def _header(self, service: str, start: float) -> Dict[str, Any]:
        limits: Dict[str, int] = {}
        cgroup_limit = read_cgroup_memory_limit()
        if cgroup_limit is not None:
            limits["cgroupLimitBytes"] = cgroup_limit
        return {
            "runtime": "python",
            "runtimeVersion": ".".join(str(part) for part in sys.version_info[:3]),
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "hostname": socket.gethostname(),
            "service": service,
            "argv": redact_argv([sys.executable] + list(getattr(sys, "argv", []))),
            "cwd": os.getcwd(),
            "startTime": _iso_time(start),
            "sampling": {"sampler": "tracemalloc", "intervalBytes": 0, "stackDepth": tracemalloc.get_traceback_limit()},
            "limits": limits,
            "agent": {"name": "heapsleuth", "version": VERSION},
        }

    def _listen_for_tick_signal(self, name: str) -> None:
        number = getattr(signals, name, None)
        if number is None or threading.current_thread() is not threading.main_thread():
            return
        try:
            if signals.getsignal(number) not in (signals.SIG_DFL, None):
                return  # the app listens to it: leave it alone
            self._previous_handler = signals.signal(number, self._on_tick_signal)
            self._signal = number
        except (OSError, ValueError):
            pass

    def _on_tick_signal(self, signum: int, frame: Any) -> None:
        if self._thread is not None:
            self._wake.set()  # the tracer thread takes the tick, outside the signal handler
        else:
            self.tick()

    def _on_stop_signal(self, name: str) -> None:
        # in the app's signal handler, before it runs: only note it, the ticks stay on their thread
        if self._stopping is None:
            self._stopping = name

    def _run_thread(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stopped:
                return
            self.tick()

    def _on_exit(self) -> None:
        self._finish("exit")

    def _finish(self, reason: str) -> None:
        with self._lock:  # waits out a tick under way
            if self._stopped:
                return
            self._tick_now(self._stopping or reason)  # marked final: the teardown, not the running phase
            self._stopped = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        try:
            atexit.unregister(self._on_exit)
        except Exception:
            pass
        self._restore_signal()
        stop_signals.unlisten(self._on_stop_signal)
        if self._recorder is not None:
            self._recorder.close(reason)
        self._metrics.close()
        if self._started_tracing and tracemalloc.is_tracing():
            tracemalloc.stop()

    def _restore_signal(self) -> None:
        if self._signal is None or threading.current_thread() is not threading.main_thread():
            return
        try:
            if signals.getsignal(self._signal) == self._on_tick_signal:
                signals.signal(self._signal, self._previous_handler if self._previous_handler is not None else signals.SIG_DFL)
        except (OSError, ValueError):
            pass
        self._signal = None

    def _after_fork_in_child(self) -> None:
        """A forked child must not write into its parent's recording: this tracer lets go there."""
        if self._stopped:
            return
        self._stopped = True
        self._lock = threading.RLock()  # the parent's may have been held by its tracer thread
        if self._recorder is not None:
            self._recorder.close_quietly()
        self._metrics.close()
        if self._started_tracing and tracemalloc.is_tracing():
            tracemalloc.stop()

    def _warn_once(self, kind: str, message: str) -> None:
        """Each kind of failure is told once: the agent must not flood a service's logs."""
        if kind in self._warned:
            return
        self._warned.add(kind)
        try:
            logger = self._logger
            if logger is not None and logger.isEnabledFor(logging.WARNING):
                logger.warning(f"heapsleuth: {message}", extra={"event": "agent_warning", "kind": kind})
            else:
                sys.stderr.write(f"heapsleuth: warning: {message}\n")
        except Exception:
            pass  # a broken logger or stderr must not break the host either


def trace_leaks(
    interval: Union[float, int, str] = DEFAULT_INTERVAL_SECONDS,
    top: int = 5,
    trace: int = 1,
    record: Union[str, bool] = "auto",
    out_dir: Optional[str] = None,
    service: Optional[str] = None,
    frames: int = DEFAULT_FRAMES,
    logger: LoggerOption = None,
    signal: Union[str, bool] = False,
) -> Tracer:
    """Starts the leak tracer in a daemon thread; ``interval`` is in seconds (or text such as ``"30s"``, ``"5m"``)."""
    tracer = Tracer(interval, top, trace, record, out_dir, service, frames, logger, signal)
    return tracer.start_thread()


async def trace_leaks_async(**options: Any) -> None:
    """Runs the tracer on the running event loop until cancelled: ``asyncio.create_task(trace_leaks_async(interval=60))``."""
    await Tracer(**options).run_async()


def start_in_loop(loop: Optional[asyncio.AbstractEventLoop] = None, **options: Any) -> Tracer:
    """Starts the tracer as a task of ``loop`` (default: the running one); ``stop()`` cancels it and ends the recording."""
    tracer = Tracer(**options)
    target = loop if loop is not None else asyncio.get_running_loop()
    tracer._task = target.create_task(tracer.run_async())
    return tracer


def default_service_name() -> str:
    """The entry script's name (``app`` for ``app.py``), the module for ``-m``, else ``python``."""
    argv = list(getattr(sys, "argv", []) or [])
    first = argv[0] if argv else ""
    if first in ("-m", "") or first.endswith("__main__.py"):
        module = _module_from_orig_argv()
        if module:
            return module
    if first and first not in ("-c", "-m", "-"):
        name = os.path.basename(first)
        if name == "__main__.py":
            name = os.path.basename(os.path.dirname(os.path.abspath(first)))
        return os.path.splitext(name)[0] or "python"
    return "python"


def _module_from_orig_argv() -> Optional[str]:
    orig = list(getattr(sys, "orig_argv", []) or [])
    for i, arg in enumerate(orig[:-1]):
        if arg == "-m":
            return orig[i + 1].split(".")[-1]
    return None


def _call_if_alive(ref: "weakref.ReferenceType[Tracer]", method: str) -> None:
    tracer = ref()
    if tracer is not None:
        getattr(tracer, method)()


def _resolve_logger(option: LoggerOption) -> Optional[Any]:
    if option is False:
        return None
    if option is None or option is True:
        return logging.getLogger("heapsleuth")
    if option == "json":
        return json_line_logger()
    if isinstance(option, str):
        return logging.getLogger(option)
    return option


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "python"


def _iso_time(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + ".%03dZ" % int((seconds % 1) * 1000)


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno is not None:
        code = errno.errorcode.get(error.errno, str(error.errno))
        return f"{code} ({error.strerror})"
    return str(error) or type(error).__name__

"""What the process looks like at a tick, named as the recording format names it.

Memory: ``rss`` from /proc/self/statm, ``heapUsed``/``heapTotal`` are tracemalloc's
traced and peak traced bytes (Python has no separate heap total), ``external`` and
``arrayBuffers`` are 0. GC: collections per generation since the agent started, with
the pause time measured by a ``gc.callbacks`` hook.
"""

from __future__ import annotations

import gc
import os
import threading
import time
import tracemalloc
from typing import Any, Dict, Optional

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class ProcessMetrics:
    def __init__(self) -> None:
        self._baseline = [generation.get("collections", 0) for generation in gc.get_stats()]
        self._pause_seconds = [0.0] * len(self._baseline)
        self._gc_started_at: Optional[float] = None
        self._hooked = False

    def open(self) -> None:
        if not self._hooked:
            gc.callbacks.append(self._on_gc)
            self._hooked = True

    def close(self) -> None:
        if self._hooked:
            try:
                gc.callbacks.remove(self._on_gc)
            except ValueError:
                pass
            self._hooked = False

    def sample(self, now_ms: Optional[int] = None) -> Dict[str, Any]:
        traced, peak = tracemalloc.get_traced_memory()
        sample: Dict[str, Any] = {
            "time": now_ms if now_ms is not None else int(time.time() * 1000),
            "memory": {"rss": read_rss(), "heapTotal": peak, "heapUsed": traced, "external": 0, "arrayBuffers": 0},
            "gc": self._gc_counts(),
        }
        fds = count_open_fds()
        if fds is not None:
            sample["openFds"] = fds
        sample["threads"] = count_threads()
        return sample

    def _gc_counts(self) -> Dict[str, Dict[str, float]]:
        counts = {}
        for generation, stats in enumerate(gc.get_stats()):
            baseline = self._baseline[generation] if generation < len(self._baseline) else 0
            pause = self._pause_seconds[generation] if generation < len(self._pause_seconds) else 0.0
            counts[f"gen{generation}"] = {"count": stats.get("collections", 0) - baseline, "pauseMs": round(pause * 1000, 3)}
        return counts

    def _on_gc(self, phase: str, info: Dict[str, Any]) -> None:
        # called by the interpreter around every collection: keep it tiny
        if phase == "start":
            self._gc_started_at = time.perf_counter()
        elif self._gc_started_at is not None:
            generation = info.get("generation", 0)
            if 0 <= generation < len(self._pause_seconds):
                self._pause_seconds[generation] += time.perf_counter() - self._gc_started_at
            self._gc_started_at = None


def read_rss() -> int:
    """Resident set size in bytes; 0 where /proc is missing (not Linux)."""
    try:
        with open("/proc/self/statm", "rb") as file:
            return int(file.read().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def count_open_fds() -> Optional[int]:
    try:
        return len(os.listdir("/proc/self/fd")) - 1  # minus the descriptor listdir itself holds
    except OSError:
        return None


def count_threads() -> int:
    """Threads of the process (native ones too) from /proc, else the Python threads."""
    try:
        with open("/proc/self/status", "rb") as file:
            for line in file:
                if line.startswith(b"Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return threading.active_count()

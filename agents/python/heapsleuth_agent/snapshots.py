"""tracemalloc snapshots grouped by stack as the recording stores them, minus what is not the app's.

Left out: the agent's own allocations (any stack with an agent frame), tracemalloc's
(the snapshot's lists) and the import machinery's, as Python's documentation does in
its examples with ``tracemalloc.Filter``. The filtering is done here, once per distinct
stack and cached, rather than with ``Snapshot.filter_traces``, which matches every
trace against every filter in Python: seconds per tick on a heap of 100k blocks.
"""

from __future__ import annotations

import os
import tracemalloc
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from .locations import LocationResolver

# (file as shown, line, function)
ShownFrame = Tuple[str, int, str]
# frames, most recent call first
Stack = Tuple[ShownFrame, ...]

_AGENT_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# `python3 -m heapsleuth_agent app.py` runs the app under these frames
_RUNNER = _AGENT_DIR + "__main__.py"
# allocation sites that are the tracer's or the interpreter's business, not the app's
_EXCLUDED_SITES = frozenset(
    {
        os.path.splitext(tracemalloc.__file__)[0] + ".py",
        "<frozen importlib._bootstrap>",
        "<frozen importlib._bootstrap_external>",
        "<unknown>",
    }
)


def is_excluded(frames: Sequence[Tuple[str, int]]) -> bool:
    """``frames``: (filename, line), most recent first, without the runner's."""
    if not frames:
        return True
    if frames[0][0] in _EXCLUDED_SITES:
        return True
    return any(filename.startswith(_AGENT_DIR) for filename, _ in frames)


def without_runner(frames: Sequence[Tuple[str, int]]) -> Sequence[Tuple[str, int]]:
    """The app's frames as if it had been started by ``python3 app.py``: the runner's and runpy's frames cut off."""
    for at, (filename, _) in enumerate(frames):
        if filename == _RUNNER:
            while at > 0 and _is_runpy(frames[at - 1][0]):
                at -= 1
            return frames[:at]
    return frames


def _is_runpy(filename: str) -> bool:
    return filename == "<frozen runpy>" or filename.endswith(os.sep + "runpy.py")


RawFrames = Tuple[Tuple[str, int], ...]


def blocks_by_traceback(snapshot: tracemalloc.Snapshot) -> Iterator[Tuple[RawFrames, int, int]]:
    """(frames most recent first, bytes, blocks) per distinct traceback of the snapshot.

    Reads the snapshot's trace tuples directly (tracemalloc hands out one tuple per
    distinct traceback) instead of ``Snapshot.statistics``, and makes no new object per
    trace: under tracemalloc every allocation is traced, so a loop that allocates per
    trace (an int per addition, a Traceback per trace) costs 20-30 times more. Falls back
    to ``statistics`` if the snapshot's layout ever changes.
    """
    traces = getattr(snapshot.traces, "_traces", None)
    if not isinstance(traces, list) or (traces and not _looks_like_trace(traces[0])):
        for stat in snapshot.statistics("traceback"):
            yield tuple((frame.filename, frame.lineno) for frame in reversed(stat.traceback)), stat.size, stat.count
        return
    sizes_by_frames: Dict[RawFrames, List[int]] = {}
    for trace in traces:  # (domain, size, frames[, total frames])
        sizes = sizes_by_frames.get(trace[2])
        if sizes is None:
            sizes = sizes_by_frames[trace[2]] = []
        sizes.append(trace[1])
    for frames, sizes in sizes_by_frames.items():
        yield frames, sum(sizes), len(sizes)


def _looks_like_trace(trace: Any) -> bool:
    return isinstance(trace, tuple) and len(trace) >= 3 and isinstance(trace[1], int) and isinstance(trace[2], tuple)


class StackTable:
    """Turns tracemalloc tracebacks into shown stacks; remembers each traceback it has seen."""

    def __init__(self, locations: LocationResolver) -> None:
        self._locations = locations
        # None: left out
        self._stacks: Dict[RawFrames, Optional[Stack]] = {}

    def live_bytes_by_stack(self, snapshot: tracemalloc.Snapshot) -> Dict[Stack, List[int]]:
        """``{stack: [bytes, blocks]}`` of what the snapshot holds that is the app's."""
        rows: Dict[Stack, List[int]] = {}
        known = self._stacks
        for frames, size, count in blocks_by_traceback(snapshot):
            stack = known[frames] if frames in known else self._learn(frames)
            if stack is None:
                continue
            row = rows.get(stack)
            if row is None:
                rows[stack] = [size, count]
            else:  # two tracebacks that read the same once shown (a file reached through a symlink)
                row[0] += size
                row[1] += count
        return rows

    def _learn(self, raw: RawFrames) -> Optional[Stack]:
        frames = without_runner(raw)
        stack = None if is_excluded(frames) else tuple(self._locations.frame(filename, line) for filename, line in frames)
        self._stacks[raw] = stack
        return stack

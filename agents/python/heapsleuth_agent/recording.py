"""Encodes recording lines (docs/recording-format.md): pure text, no I/O.

Frames and stacks are defined once and referred to by id. ``encode_sample`` returns
the definitions it needs followed by the sample line; call ``commit()`` once they are
safely written, or ``rollback()`` if not, so they are defined again next time.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .snapshots import ShownFrame, Stack

FORMAT = "heapsleuth-recording"
VERSION = 2


def _line(value: Dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n"


class RecordingEncoder:
    def __init__(self) -> None:
        self._frame_ids: Dict[ShownFrame, int] = {}
        self._stack_ids: Dict[Stack, int] = {}
        self._pending_frames: List[ShownFrame] = []
        self._pending_stacks: List[Stack] = []
        self._seq = 0

    def encode_header(self, fields: Mapping[str, Any]) -> str:
        return _line({"type": "header", "format": FORMAT, "version": VERSION, **fields})

    def encode_sample(self, rows: Mapping[Stack, Sequence[int]], process: Mapping[str, Any], tick_ms: Optional[float] = None, final: Optional[str] = None) -> str:
        definitions: List[str] = []
        sample_rows = []
        for stack, row in rows.items():
            sample_rows.append([self._intern_stack(stack, definitions), int(row[0]), int(row[1])])
        sample: Dict[str, Any] = {"type": "sample", "seq": self._seq, "time": process["time"]}
        if tick_ms is not None:
            sample["tickMs"] = round(tick_ms, 3)
        if final:
            sample["final"] = final  # taken as the process stopped: its teardown, not its running phase
        sample.update((key, value) for key, value in process.items() if key != "time")
        sample["rows"] = sample_rows
        definitions.append(_line(sample))
        return "".join(definitions)

    def encode_end(self, time_ms: int, reason: str) -> str:
        return _line({"type": "end", "time": time_ms, "reason": reason})

    def commit(self) -> None:
        self._pending_frames = []
        self._pending_stacks = []
        self._seq += 1

    def rollback(self) -> None:
        for frame in self._pending_frames:
            del self._frame_ids[frame]
        for stack in self._pending_stacks:
            del self._stack_ids[stack]
        self._pending_frames = []
        self._pending_stacks = []

    @property
    def stack_count(self) -> int:
        return len(self._stack_ids)

    def _intern_stack(self, stack: Stack, definitions: List[str]) -> int:
        known = self._stack_ids.get(stack)
        if known is not None:
            return known
        frame_ids = [self._intern_frame(frame, definitions) for frame in stack]
        stack_id = len(self._stack_ids)
        self._stack_ids[stack] = stack_id
        self._pending_stacks.append(stack)
        definitions.append(_line({"type": "stack", "id": stack_id, "frames": frame_ids}))
        return stack_id

    def _intern_frame(self, frame: ShownFrame, definitions: List[str]) -> int:
        known = self._frame_ids.get(frame)
        if known is not None:
            return known
        frame_id = len(self._frame_ids)
        self._frame_ids[frame] = frame_id
        self._pending_frames.append(frame)
        file, line, function = frame
        definitions.append(_line({"type": "frame", "id": frame_id, "file": file, "line": line, "function": function, "column": 0}))
        return frame_id

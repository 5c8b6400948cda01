"""Appends a process's ticks to its recording file.

Each tick is one ``os.write`` of whole lines (looped only if the kernel takes part of
it), unbuffered, so a process killed at any moment leaves at most a torn last line and
every completed sample is in the kernel's hands when the tick returns. Files are
readable by their owner only: they name source files and functions.
"""

from __future__ import annotations

import os
import time
from typing import Any, Mapping, Optional, Sequence

from .recording import RecordingEncoder
from .snapshots import Stack


class Recorder:
    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self._fd: Optional[int] = fd
        self._encoder = RecordingEncoder()
        # a failed write may have left half a line: the next write starts on a fresh line
        self._line_may_be_torn = False

    @classmethod
    def open(cls, path: str, header: Mapping[str, Any]) -> "Recorder":
        """Creates the folder and file and writes the header; raises OSError when that is impossible."""
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        recorder = cls(path, fd)
        try:
            recorder._write_all(recorder._encoder.encode_header(header))
        except OSError:
            recorder.close_quietly()
            raise
        return recorder

    def write_sample(self, rows: Mapping[Stack, Sequence[int]], process: Mapping[str, Any], tick_ms: Optional[float] = None, final: Optional[str] = None) -> None:
        """Appends one sample; raises OSError (keeping its state consistent) when the write fails."""
        text = self._encoder.encode_sample(rows, process, tick_ms, final)
        try:
            self._write_all(text)
        except OSError:
            self._encoder.rollback()
            raise
        self._encoder.commit()

    def close(self, reason: str) -> None:
        """Writes the ``end`` line and closes the file. Never raises."""
        if self._fd is None:
            return
        try:
            self._write_all(self._encoder.encode_end(int(time.time() * 1000), reason))
        except OSError:
            pass  # the samples are what matter; a missing end line only says "killed"
        self.close_quietly()

    def close_quietly(self) -> None:
        if self._fd is None:
            return
        try:
            os.close(self._fd)
        except OSError:
            pass
        self._fd = None

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    @property
    def stack_count(self) -> int:
        return self._encoder.stack_count

    def _write_all(self, text: str) -> None:
        if self._fd is None:
            raise OSError("the recording is closed")
        data = (("\n" + text) if self._line_may_be_torn else text).encode("utf-8")
        view = memoryview(data)
        written = 0
        try:
            while written < len(data):
                written += os.write(self._fd, view[written:])
        except OSError:
            if written > 0:
                self._line_may_be_torn = True
            raise
        self._line_may_be_torn = False

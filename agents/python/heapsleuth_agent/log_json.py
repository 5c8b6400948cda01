"""JSON-line logging shaped like pino's (and the Node agent's) lines.

``{"level":30,"time":...,"pid":...,"hostname":...,"name":"heapsleuth",<event fields>,"msg":...}``:
the event fields are whatever was passed in ``extra=``.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
from typing import IO, Optional

_PINO_LEVELS = {logging.DEBUG: 20, logging.INFO: 30, logging.WARNING: 40, logging.ERROR: 50, logging.CRITICAL: 60}
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one JSON line: pino's base fields, the ``extra=`` fields, ``msg``."""

    def __init__(self) -> None:
        super().__init__()
        self._hostname = socket.gethostname()

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "level": _PINO_LEVELS.get(record.levelno, record.levelno),
            "time": int(record.created * 1000),
            "pid": record.process,
            "hostname": self._hostname,
            "name": record.name,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        line["msg"] = record.getMessage()
        if record.exc_info:
            line["err"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"), ensure_ascii=False)


def json_line_logger(name: str = "heapsleuth", stream: Optional[IO[str]] = None) -> logging.Logger:
    """The ``heapsleuth`` logger writing JSON lines to stderr, on its own (not through the app's root handlers)."""
    logger = logging.getLogger(name)
    if not any(getattr(handler, "_heapsleuth_json", False) for handler in logger.handlers):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(JsonLineFormatter())
        handler._heapsleuth_json = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger

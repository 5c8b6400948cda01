"""Starts the tracer from HEAPSLEUTH_* environment variables, for the zero-code forms
(``python3 -m heapsleuth_agent app.py`` and the ``sitecustomize`` preload).
Nothing here may raise into the host: a failure is one warning on stderr."""

from __future__ import annotations

import os
import sys
from typing import Mapping, Optional

from .env_config import read_env_config
from .tracer import Tracer, trace_leaks

_started: Optional[Tracer] = None


def start_from_env(env: Optional[Mapping[str, str]] = None) -> Optional[Tracer]:
    """The tracer started for this process (once), or None when disabled or when it could not start."""
    global _started
    if _started is not None:
        return _started
    try:
        config = read_env_config(os.environ if env is None else env)
        if config.disabled:
            return None
        for problem in config.problems:
            sys.stderr.write(f"heapsleuth: warning: {problem}\n")
        _started = trace_leaks(**config.options)
    except Exception as error:
        sys.stderr.write(f"heapsleuth: warning: the leak tracer did not start: {error}; the app runs without it\n")
    return _started

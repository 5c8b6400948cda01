"""Starts the tracer from HEAPSLEUTH_* environment variables, for the zero-code forms
(``python3 -m heapsleuth_agent app.py`` and the ``sitecustomize`` preload).
Nothing here may raise into the host: a failure is one warning on stderr."""

from __future__ import annotations

import os
import sys
from typing import Mapping, Optional

from .env_config import read_env_config
from .native_dumps import collector_from_env
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
        _start_native_pickup(_started, os.environ if env is None else env)
    except Exception as error:
        sys.stderr.write(f"heapsleuth: warning: the leak tracer did not start: {error}; the app runs without it\n")
    return _started


def _start_native_pickup(tracer: Tracer, env: Mapping[str, str]) -> None:
    """HEAPSLEUTH_NATIVE=on: jemalloc's dumps of this process go beside the recording at each tick (docs/native.md)."""
    if tracer.recording_path is None:
        return
    collector, problem = collector_from_env(env, os.path.dirname(tracer.recording_path))
    if problem:
        sys.stderr.write(f"heapsleuth: warning: {problem}\n")
    if collector is None:
        return

    def pick_up() -> None:
        for message in collector.collect():
            sys.stderr.write(f"heapsleuth: warning: {message}\n")

    tracer.after_tick.append(pick_up)

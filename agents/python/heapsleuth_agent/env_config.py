"""The zero-code agent's settings from HEAPSLEUTH_* environment variables, as the Node agent reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from .durations import parse_seconds

_OFF = re.compile(r"^(off|false|0|no|none)$", re.IGNORECASE)
_TRUE = re.compile(r"^(1|true|yes|on)$", re.IGNORECASE)


@dataclass
class EnvConfig:
    disabled: bool = False
    options: Dict[str, Any] = field(default_factory=dict)
    # one line per value that could not be used (the default is used instead)
    problems: List[str] = field(default_factory=list)


def read_env_config(env: Mapping[str, str]) -> EnvConfig:
    """Keyword arguments for ``trace_leaks``. HEAPSLEUTH_SAMPLING_INTERVAL does not apply: Python's sizes are exact."""
    config = EnvConfig()

    def value(name: str) -> Optional[str]:
        text = (env.get(name) or "").strip()
        return text or None

    def integer(name: str, minimum: int) -> Optional[int]:
        text = value(name)
        if text is None:
            return None
        if re.match(r"^\d+$", text) and int(text) >= minimum:
            return int(text)
        config.problems.append(f"{name}={text!r} is not an integer >= {minimum}; using the default")
        return None

    config.disabled = bool(_TRUE.match(value("HEAPSLEUTH_DISABLE") or ""))
    options = config.options
    interval = value("HEAPSLEUTH_INTERVAL")
    if interval is not None:
        try:
            options["interval"] = parse_seconds(interval, "HEAPSLEUTH_INTERVAL")
        except ValueError as error:
            config.problems.append(f"{error}; using the default")
    out_dir = value("HEAPSLEUTH_OUT")
    if out_dir:
        options["out_dir"] = out_dir
    record = value("HEAPSLEUTH_RECORD")
    if record is not None:
        options["record"] = False if _OFF.match(record) else record
    service = value("HEAPSLEUTH_SERVICE")
    if service:
        options["service"] = service
    depth = integer("HEAPSLEUTH_STACK_DEPTH", 1)
    if depth is not None:
        options["frames"] = depth
    top = integer("HEAPSLEUTH_TOP", 0)
    if top is not None:
        options["top"] = top
    trace = integer("HEAPSLEUTH_TRACE", 0)
    if trace is not None:
        options["trace"] = trace
    log = value("HEAPSLEUTH_LOG")
    if log is None or log == "json":
        options["logger"] = "json"  # the zero-code agent logs JSON lines to stderr, as the Node one does
    elif _OFF.match(log):
        options["logger"] = False
    else:
        options["logger"] = "json"
        config.problems.append(f"HEAPSLEUTH_LOG={log!r} is not json or off; using json")
    signal_name = value("HEAPSLEUTH_SIGNAL")
    if signal_name is not None:
        if _OFF.match(signal_name):
            options["signal"] = False
        elif re.match(r"^SIG[A-Z0-9]+$", signal_name):
            options["signal"] = signal_name
        else:
            config.problems.append(f"HEAPSLEUTH_SIGNAL={signal_name!r} is not a signal name such as SIGUSR2; on-demand ticks stay off")
    return config

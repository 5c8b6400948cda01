"""The container's memory limit, from cgroup v2 ``memory.max`` or v1 ``memory.limit_in_bytes``."""

from __future__ import annotations

import os
from typing import List, Optional

# cgroup v1 reports "no limit" as 2**63 rounded down to a page
_UNLIMITED = 2 ** 60


def read_cgroup_memory_limit(root: str = "/sys/fs/cgroup", proc_self_cgroup: str = "/proc/self/cgroup") -> Optional[int]:
    """The smallest limit along the process's cgroup path, or None when there is none."""
    try:
        with open(proc_self_cgroup) as file:
            membership = file.read()
    except OSError:
        membership = ""  # not Linux, or no procfs: only the root files below can tell
    candidates: List[str] = []
    for line in membership.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            candidates += [os.path.join(root, d, "memory.max") for d in _ancestors(path)]
        elif "memory" in controllers.split(","):
            candidates += [os.path.join(root, "memory", d, "memory.limit_in_bytes") for d in _ancestors(path)]
    candidates += [os.path.join(root, "memory.max"), os.path.join(root, "memory", "memory.limit_in_bytes")]
    limit: Optional[int] = None
    for candidate in candidates:
        value = _read_limit(candidate)
        if value is not None and (limit is None or value < limit):
            limit = value
    return limit


def _ancestors(path: str) -> List[str]:
    parts = [part for part in path.split("/") if part]
    return ["/".join(parts[: len(parts) - i]) for i in range(len(parts))]


def _read_limit(path: str) -> Optional[int]:
    try:
        with open(path) as file:
            text = file.read().strip()
    except OSError:
        return None
    if not text.isdigit():
        return None  # "max": no limit
    value = int(text)
    return value if 0 < value < _UNLIMITED else None

"""The log events of one tick, named and shaped as the Node agent's: a fields dict and a message."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from .groups import Group, GroupDiff, blame_frame

Event = Tuple[Dict[str, Any], str]


def _site(item: Group | GroupDiff) -> Dict[str, Any]:
    file, line, function = blame_frame(item.stack) or ("", 0, "")
    return {"file": file, "line": line, "function": function}


def top_current_events(groups: Sequence[Group], top: int, seq: int) -> List[Event]:
    """``top_current``: the ``top`` biggest groups now."""
    return [
        (
            {"event": "top_current", "seq": seq, "rank": rank, **_site(group), "keyType": group.key_type, "size": group.size, "count": group.count},
            f"top_current #{rank}: {group}",
        )
        for rank, group in enumerate(groups[:top], 1)
    ]


def since_start_events(diffs: Sequence[GroupDiff], top: int, seq: int) -> List[Event]:
    """``since_start``: the ``top`` biggest changes since the first tick."""
    return [
        (
            {
                "event": "since_start",
                "seq": seq,
                "rank": rank,
                **_site(diff),
                "keyType": diff.key_type,
                "size": diff.size,
                "sizeDiff": diff.size_diff,
                "count": diff.count,
                "countDiff": diff.count_diff,
            },
            f"since_start #{rank}: {diff}",
        )
        for rank, diff in enumerate(diffs[:top], 1)
    ]


def traceback_events(diffs: Sequence[GroupDiff], trace: int, seq: int) -> List[Event]:
    """``traceback``: the full stacks of the ``trace`` biggest growers since the first tick."""
    growers = [diff for diff in diffs if diff.size_diff > 0][:trace]
    events = []
    for rank, diff in enumerate(growers, 1):
        traceback = [{"file": file, "line": line, "function": function} for file, line, function in diff.stack]
        lines = [f'  File "{file}", line {line}' + (f", in {function}" if function else "") for file, line, function in diff.stack]
        events.append(
            (
                {"event": "traceback", "seq": seq, "rank": rank, **_site(diff), "sizeDiff": diff.size_diff, "traceback": traceback},
                f"traceback #{rank} ({diff}):\n" + "\n".join(lines),
            )
        )
    return events


def tick_event(seq: int, tick_ms: float, memory: Dict[str, int]) -> Event:
    fields = {"event": "tick", "seq": seq, "tickMs": round(tick_ms, 2), "rss": memory["rss"], "heapUsed": memory["heapUsed"], "external": memory["external"]}
    return fields, f"tick #{seq} took {round(tick_ms, 2)} ms"

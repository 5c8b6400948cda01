"""Live memory grouped by line and changes between two ticks, printed as tracemalloc prints them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .size_format import format_count, format_size
from .snapshots import ShownFrame, Stack


@dataclass(frozen=True)
class Group:
    """Live memory of one line (``lineno``) or one whole stack (``traceback``)."""

    stack: Stack
    size: int
    count: int
    key_type: str = "lineno"

    def __str__(self) -> str:
        text = f"{_describe(self.stack, self.key_type)}: size={format_size(self.size)}, count={format_count(self.count)}"
        if self.count > 0:
            text += f", average={format_size(self.size / self.count)}"
        return text


@dataclass(frozen=True)
class GroupDiff:
    stack: Stack
    size: int
    size_diff: int
    count: int
    count_diff: int
    key_type: str = "lineno"

    def __str__(self) -> str:
        text = (
            f"{_describe(self.stack, self.key_type)}: size={format_size(self.size)} ({format_size(self.size_diff, True)})"
            f", count={format_count(self.count)} ({format_count(self.count_diff, True)})"
        )
        if self.count > 0:
            text += f", average={format_size(self.size / self.count)}"
        return text


Totals = Dict[Stack, Tuple[int, int]]


def by_stack(rows: Mapping[Stack, Sequence[int]]) -> Totals:
    return {stack: (row[0], row[1]) for stack, row in rows.items()}


def blame_frame(stack: Stack) -> Optional[ShownFrame]:
    """The frame to blame: the most recent one in code a user can change (not ``<stdlib>``,
    ``<frozen ...>``), else the most recent one; as heapsleuth's model chooses it."""
    for frame in stack:
        if frame[0] and not frame[0].startswith("<"):
            return frame
    return stack[0] if stack else None


def by_line(rows: Mapping[Stack, Sequence[int]]) -> Totals:
    """Totals keyed by a one-frame stack: the line to blame."""
    totals: Dict[Stack, List[int]] = {}
    for stack, row in rows.items():
        frame = blame_frame(stack)
        key: Stack = (frame,) if frame is not None else ()
        total = totals.get(key)
        if total is None:
            totals[key] = [row[0], row[1]]
        else:
            total[0] += row[0]
            total[1] += row[1]
    return {key: (total[0], total[1]) for key, total in totals.items()}


def statistics(totals: Totals, key_type: str) -> List[Group]:
    """Biggest first, as tracemalloc's ``Snapshot.statistics``."""
    groups = [Group(stack, size, count, key_type) for stack, (size, count) in totals.items()]
    groups.sort(key=lambda group: (group.size, group.count, group.stack), reverse=True)
    return groups


def compare(current: Totals, old: Totals, key_type: str) -> List[GroupDiff]:
    """Changes from ``old`` to ``current``, largest absolute change first, as ``Snapshot.compare_to``."""
    diffs = []
    for stack in _union(current, old):
        size, count = current.get(stack, (0, 0))
        old_size, old_count = old.get(stack, (0, 0))
        diffs.append(GroupDiff(stack, size, size - old_size, count, count - old_count, key_type))
    diffs.sort(key=lambda d: (abs(d.size_diff), d.size, abs(d.count_diff), d.count, d.stack), reverse=True)
    return diffs


def _union(a: Totals, b: Totals) -> Iterable[Stack]:
    yield from a
    for stack in b:
        if stack not in a:
            yield stack


def _describe(stack: Stack, key_type: str) -> str:
    if not stack:
        return "(no frames)"
    file, line, _ = stack[0]
    where = f"{file}:{line}"
    if key_type == "traceback":
        return f"{where} ({len(stack)} frame{'' if len(stack) == 1 else 's'})"
    return where

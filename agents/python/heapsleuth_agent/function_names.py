"""The function a source line belongs to, for frames: tracemalloc records only file and line.

Each file is scanned once with a few regular expressions over its whole text: a
``def``/``class`` line opens a scope that the next code line indented no deeper
closes (closing brackets and text inside triple-quoted strings do not count). Parsing
with ``ast`` would be exact, but under tracemalloc every node it allocates is traced:
about 50 ms per file against 2-3 ms for this scan, and a service's first ticks meet
hundreds of files. Only (first line, last line, qualified name) triples are kept.
"""

from __future__ import annotations

import bisect
import re
import tokenize
from typing import Dict, List, Optional, Pattern, Tuple

MODULE = "<module>"

# (first line, last line, qualified name), in the order their first lines come
Scope = Tuple[int, int, str]

_DEFINITION = re.compile(r"^([ \t]*)(?:async[ \t]+)?(def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
# strings and comments in source order, so that quotes inside one do not start another
_STRINGS_AND_COMMENTS = re.compile(
    r"#[^\n]*"  # a comment
    r"|(\"\"\"|''')(?:\\[\s\S]|[\s\S])*?\1"  # a triple-quoted string (group 1: its quotes)
    r"|'(?:\\[\s\S]|[^'\\\n])*'"  # a single-quoted string
    r"|\"(?:\\[\s\S]|[^\"\\\n])*\""  # a double-quoted string
)
_closers: Dict[int, Pattern[str]] = {}


class FunctionNames:
    def __init__(self) -> None:
        self._scopes: Dict[str, Optional[List[Scope]]] = {}

    def name_at(self, path: str, line: int) -> str:
        """``Cache.remember``, ``main.<locals>.handler``, ``<module>``; empty when the file cannot be read."""
        if path not in self._scopes:
            self._scopes[path] = _read_scopes(path)
        scopes = self._scopes[path]
        if scopes is None:
            return ""
        best = MODULE
        for first, last, name in scopes:  # an enclosing scope comes before the scopes it holds
            if first > line:
                break
            if line <= last:
                best = name
        return best


def _read_scopes(path: str) -> Optional[List[Scope]]:
    if not path or path.startswith("<"):
        return None
    try:
        with tokenize.open(path) as source:
            text = source.read()
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    return scan_scopes(text)


def scan_scopes(text: str) -> List[Scope]:
    strings = [match.span() for match in _STRINGS_AND_COMMENTS.finditer(text) if match.group(1)]
    string_starts = [start for start, _ in strings]
    lines = _LineNumbers(text)
    found: List[Tuple[int, int, int, str, str]] = []  # first line, last line, indent, kind, name
    for match in _DEFINITION.finditer(text):
        if _inside(match.start(), strings, string_starts):
            continue
        indent = len(match.group(1))
        end = _scope_end(text, match.end(), indent, strings, string_starts)
        found.append((lines.at(match.start()), lines.at(end - 1) if end > match.end() else lines.at(match.start()), indent, match.group(2), match.group(3)))
    scopes: List[Scope] = []
    open_scopes: List[Tuple[int, str, str]] = []  # last line, kind, qualified name
    for first, last, _indent, kind, name in found:
        while open_scopes and open_scopes[-1][0] < first:
            open_scopes.pop()
        if open_scopes:
            parent_last, parent_kind, parent_name = open_scopes[-1]
            qualname = parent_name + (".<locals>." if parent_kind == "def" else ".") + name
        else:
            qualname = name
        # a class body runs as its own frame, named after the class alone
        scopes.append((first, last, name if kind == "class" else qualname))
        open_scopes.append((last, kind, qualname))
    return scopes


def _scope_end(text: str, position: int, indent: int, strings: List[Tuple[int, int]], string_starts: List[int]) -> int:
    """Where the first code line indented at most ``indent`` starts after ``position`` (or the end of the text)."""
    closer = _closers.get(indent)
    if closer is None:
        closer = _closers[indent] = re.compile(r"^[ \t]{0,%d}[^ \t\r\n#)\]}]" % indent, re.MULTILINE)
    while True:
        match = closer.search(text, position)
        if match is None:
            return len(text)
        inside = _inside(match.start(), strings, string_starts)
        if inside is None:
            return match.start()
        position = inside


def _inside(position: int, strings: List[Tuple[int, int]], string_starts: List[int]) -> Optional[int]:
    """The end of the triple-quoted string holding ``position``, or None."""
    at = bisect.bisect_right(string_starts, position) - 1
    if at >= 0 and strings[at][0] < position < strings[at][1]:
        return strings[at][1]
    return None


class _LineNumbers:
    """1-based line numbers of positions asked in mostly increasing order, counting newlines once."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._position = 0
        self._line = 1

    def at(self, position: int) -> int:
        if position >= self._position:
            self._line += self._text.count("\n", self._position, position)
        else:
            self._line -= self._text.count("\n", position, self._position)
        self._position = position
        return self._line

"""How a Python frame is shown in a recording, the way a person reads it.

- files inside the working directory: relative to it (``app/cache.py``);
- third-party packages: ``site-packages/<pkg>/...`` (as the Node side shows ``node_modules/<pkg>/...``);
- the standard library: ``<stdlib>/json/decoder.py``: like ``<frozen ...>`` and Node's
  ``node:`` internals, a name in angle brackets marks code a user cannot change, so the
  detective blames the most recent frame of the user's own code;
- anything else: its absolute path.
"""

from __future__ import annotations

import os
import sysconfig
from typing import Dict, List, Tuple

from .function_names import FunctionNames

_PACKAGE_DIRS = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)


class LocationResolver:
    def __init__(self, cwd: str | None = None) -> None:
        self._cwd = os.path.realpath(cwd or os.getcwd())
        self._stdlib_dirs = _stdlib_dirs()
        self._files: Dict[str, str] = {}
        self._functions = FunctionNames()

    def frame(self, filename: str, line: int) -> Tuple[str, int, str]:
        """(file as shown, line, function) of a tracemalloc frame."""
        return self.display(filename), line, self._functions.name_at(filename, line)

    def display(self, filename: str) -> str:
        shown = self._files.get(filename)
        if shown is None:
            shown = self._display(filename)
            self._files[filename] = shown
        return shown

    def _display(self, filename: str) -> str:
        if not filename or filename.startswith("<") or not os.path.isabs(filename):
            return filename
        path = os.path.normpath(filename)
        for marker in _PACKAGE_DIRS:
            at = path.rfind(marker)
            if at >= 0:
                return _posix("site-packages/" + path[at + len(marker):])
        for stdlib in self._stdlib_dirs:
            if path.startswith(stdlib + os.sep):
                return _posix("<stdlib>/" + path[len(stdlib) + 1:])
        real = os.path.realpath(path)
        if real == self._cwd or real.startswith(self._cwd + os.sep):
            return _posix(os.path.relpath(real, self._cwd))
        return _posix(path)


def _stdlib_dirs() -> List[str]:
    dirs = []
    for key in ("stdlib", "platstdlib"):
        try:
            path = sysconfig.get_paths()[key]
        except Exception:  # sysconfig can fail on odd installs; the paths are a nicety
            continue
        for candidate in (os.path.normpath(path), os.path.realpath(path)):
            if candidate not in dirs:
                dirs.append(candidate)
    return dirs


def _posix(path: str) -> str:
    return path if os.sep == "/" else path.replace(os.sep, "/")

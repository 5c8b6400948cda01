"""``python3 -m heapsleuth_agent app.py args...`` or ``python3 -m heapsleuth_agent -m package.module args...``:
starts the tracer (configured by HEAPSLEUTH_* variables), then runs the program as ``python3`` would."""

from __future__ import annotations

import os
import runpy
import sys

USAGE = "usage: python3 -m heapsleuth_agent [-m module | script.py] [args...]\n"


def main(argv: list) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        sys.stderr.write(USAGE + "Settings come from HEAPSLEUTH_* environment variables (see docs/python.md).\n")
        raise SystemExit(0 if argv else 2)
    from .autostart import start_from_env

    if argv[0] == "-m":
        if len(argv) < 2:
            sys.stderr.write(USAGE)
            raise SystemExit(2)
        module = argv[1]
        sys.argv = [module] + argv[2:]
        # as `python3 -m module`: the working directory is first on the path (it already is)
        start_from_env()
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return
    script = argv[0]
    if not os.path.exists(script):
        sys.stderr.write(f"heapsleuth_agent: can't open file {script!r}: no such file\n")
        raise SystemExit(2)
    sys.argv = list(argv)
    # as `python3 script.py`: the script's folder, not ours or the working directory, is first on the path
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    start_from_env()
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Picks up jemalloc's heap dumps into ``native-<pid>.jsonl`` beside the recording, as the
Node agent does (src/native/dump-collector.ts; the format is in docs/recording-format.md).

For services run on jemalloc with ``HEAPSLEUTH_NATIVE=on``, ``LD_PRELOAD=.../libjemalloc.so.2``
and ``MALLOC_CONF=prof:true,prof_prefix:<folder>/jeprof``: at each tick the newest dump of
this process is read (a listdir, and a file of some kilobytes when one is new), its stacks
and unbiased live bytes appended, older dumps deleted. Nothing here raises into the host."""

from __future__ import annotations

import json
import math
import os
import re
from typing import Dict, List, Mapping, Optional, Tuple

_DUMP_NAME = re.compile(r"^(.*)\.(\d+)\.(\d+)\.([a-z])(\d*)\.heap$")
_TOTAL = re.compile(r"^\s*t\*:\s*(\d+):\s*(\d+)")
_MAPS = re.compile(r"^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+\S+\s+\d+\s+(\S.*)$")
_TRUE = re.compile(r"^(1|true|yes|on)$", re.IGNORECASE)


def prof_prefix_of(malloc_conf: Optional[str]) -> Optional[str]:
    """The last ``prof_prefix`` of MALLOC_CONF (later options win)."""
    prefix = None
    for pair in (malloc_conf or "").split(","):
        name, _, value = pair.partition(":")
        if name.strip() == "prof_prefix" and value.strip():
            prefix = value.strip()
    return prefix


def collector_from_env(env: Mapping[str, str], out_dir: str) -> Tuple[Optional["DumpCollector"], Optional[str]]:
    """A collector when HEAPSLEUTH_NATIVE=on and jemalloc profiles this process; else None and why (or None)."""
    if not _TRUE.match(env.get("HEAPSLEUTH_NATIVE", "")):
        return None, None
    conf = env.get("MALLOC_CONF", "")
    prefix = prof_prefix_of(conf)
    if not prefix or not re.search(r"(^|,)\s*prof:true", conf) or "jemalloc" not in env.get("LD_PRELOAD", ""):
        return None, ("HEAPSLEUTH_NATIVE=on needs jemalloc preloaded with heap profiling: LD_PRELOAD=.../libjemalloc.so.2 and "
                      "MALLOC_CONF=prof:true,prof_prefix:<folder>/jeprof (see docs/native.md); native pickup is off")
    return DumpCollector(prefix, out_dir, os.getpid()), None


class DumpCollector:
    def __init__(self, prefix: str, out_dir: str, pid: int) -> None:
        self._folder = os.path.dirname(prefix) or "."
        self._base = os.path.basename(prefix)
        self._out = os.path.join(out_dir, f"native-{pid}.jsonl")
        self._pid = pid
        self._last_seq = -1
        self._stack_ids: Dict[str, int] = {}
        self._maps_key = ""
        self._maps_id = -1
        self._started = False
        self._reported: set = set()

    def collect(self) -> List[str]:
        """Collects the newest new dump; returns problems met for the first time."""
        problems: List[str] = []
        try:
            names = os.listdir(self._folder)
        except OSError as error:
            self._problem(problems, "listdir", f"cannot read the allocator's dump folder {self._folder}: {error}")
            return problems
        dumps = []
        for name in names:
            match = _DUMP_NAME.match(name)
            if match and match.group(1) == self._base and int(match.group(2)) == self._pid:
                dumps.append((int(match.group(3)), match.group(4) == "f", name))
        dumps.sort(reverse=True)
        for seq, final, name in dumps:
            if seq <= self._last_seq:
                break
            path = os.path.join(self._folder, name)
            try:
                with open(path, encoding="utf-8", errors="replace") as file:
                    text = file.read()
                if "\nMAPPED_LIBRARIES:" not in text or not text.endswith("\n"):
                    continue  # still being written
                lines = self._encode(text, os.stat(path).st_mtime * 1000, final)
                with open(self._out, "a", encoding="utf-8") as out:
                    out.write(lines)
            except (OSError, ValueError) as error:
                self._problem(problems, "dump", f"cannot read the allocator's dump {name}: {error}")
            self._last_seq = seq
            break
        for seq, _, name in dumps:
            if seq < self._last_seq:
                try:
                    os.unlink(os.path.join(self._folder, name))
                except OSError:
                    pass
        return problems

    def _problem(self, problems: List[str], kind: str, message: str) -> None:
        if kind not in self._reported:
            self._reported.add(kind)
            problems.append(message)

    def _encode(self, text: str, time_ms: float, final: bool) -> str:
        lines = text.split("\n")
        header = re.match(r"^heap_v2/(\d+)", lines[0])
        if not header:
            raise ValueError("not a jemalloc heap_v2 dump")
        period = int(header.group(1))
        out: List[str] = []
        if not self._started:
            out.append(json.dumps({"type": "native-header", "format": "heapsleuth-native", "version": 1, "pid": self._pid, "samplePeriod": period}, separators=(",", ":")))
            self._started = True
        rows: List[list] = []
        maps: List[list] = []
        pcs: Optional[List[str]] = None
        in_maps = False
        for line in lines[1:]:
            if in_maps:
                m = _MAPS.match(line)
                if m and m.group(3)[2] == "x" and m.group(5).startswith("/"):
                    maps.append([format(int(m.group(1), 16), "x"), format(int(m.group(2), 16), "x"), format(int(m.group(4), 16), "x"), m.group(5).strip()])
            elif line.startswith("@"):
                pcs = [format(int(word, 16), "x") for word in line[1:].split() if word.startswith("0x")]
            elif line.startswith("MAPPED_LIBRARIES:"):
                in_maps = True
            elif pcs is not None:
                total = _TOTAL.match(line)
                if total:
                    objects, size = int(total.group(1)), int(total.group(2))
                    if objects > 0:
                        scale = 1 / (1 - math.exp(-size / objects / period)) if period > 1 else 1
                        key = " ".join(pcs)
                        stack_id = self._stack_ids.get(key)
                        if stack_id is None:
                            stack_id = len(self._stack_ids)
                            self._stack_ids[key] = stack_id
                            out.append(json.dumps({"type": "stack", "id": stack_id, "pcs": pcs}, separators=(",", ":")))
                        rows.append([stack_id, round(size * scale), round(objects * scale, 3)])
                    pcs = None
        maps_key = json.dumps(maps)
        if maps_key != self._maps_key:
            self._maps_id += 1
            self._maps_key = maps_key
            out.append(json.dumps({"type": "maps", "id": self._maps_id, "maps": maps}, separators=(",", ":")))
        out.append(json.dumps({"type": "dump", "time": round(time_ms), "maps": self._maps_id, "final": final, "rows": rows}, separators=(",", ":")))
        return "\n".join(out) + "\n"

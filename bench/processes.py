"""What a server's processes use, read from /proc (Linux): CPU time and memory, per process group.

bench/server.py starts gunicorn in a session of its own, so the master and its workers
form one process group whose id is the master's pid. Kept by hand rather than adding
psutil to the project: it is a few fields of three files.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may hold spaces): field 3 onwards."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # the process has just gone
        return None
    return text[text.rindex(")") + 2 :].split()


def group(pgid: int) -> dict[int, int]:
    """The live processes of process group `pgid`: pid -> parent pid."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        # fields[0] is the state (field 3), then ppid (4), pgrp (5).
        if fields is not None and int(fields[2]) == pgid and fields[0] != "Z":
            found[int(entry.name)] = int(fields[1])
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process (all its threads), in seconds."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # utime and stime are fields 14 and 15 of /proc/<pid>/stat.
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def minor_faults(pid: int) -> int:
    """Page faults the process has taken that needed no disk: mostly memory handed back and touched again."""
    fields = _stat_fields(pid)
    # minflt is field 10 of /proc/<pid>/stat.
    return int(fields[7]) if fields is not None else 0


def group_minor_faults(pgid: int) -> int:
    """Minor page faults so far of every live process of the group."""
    return sum(minor_faults(pid) for pid in group(pgid))


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds used so far by every live process of the group (the gunicorn master and its workers)."""
    return sum(cpu_seconds(pid) for pid in group(pgid))


def memory_kb(pid: int) -> dict[str, int | None]:
    """Resident (RSS), proportional (PSS: shared pages divided among the processes sharing them) and
    unique (USS: private pages) memory of the process, in KB; PSS and USS are None where the kernel
    has no smaps_rollup."""
    fields = (PROC / str(pid) / "statm").read_text().split()
    rss = int(fields[1]) * PAGE_KB
    rollup: dict[str, int] = {}
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                rollup[name] = int(rest.split()[0])
    except OSError:
        pass
    private = rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
    return {
        "rss_kb": rss,
        "pss_kb": rollup.get("Pss"),
        "uss_kb": private if rollup else None,
    }

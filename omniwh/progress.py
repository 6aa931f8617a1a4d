"""Progress bars (rich) for the steps that used to run silently for minutes: the landing preflight, the
quality runner and the benchmark's steps.

Drawn on stderr and only when stderr is a terminal, so CI logs, `make ... > file` and the JSON/summary output
stay exactly as before. ``OMNI_PROGRESS=0`` turns them off, ``OMNI_PROGRESS=1`` forces them (e.g. under a
terminal multiplexer that hides the tty).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

# dbt's log lines "12 of 1276 OK created sql table model ..." / "... START ...": nodes done out of all
DBT_NODE = re.compile(rb"\b(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP)\b")


def enabled() -> bool:
    setting = os.environ.get("OMNI_PROGRESS", "").strip().lower()
    if setting in {"0", "false", "no", "off"}:
        return False
    if setting in {"1", "true", "yes", "on"}:
        return True
    return sys.stderr.isatty()


def files(folder: str | Path) -> int | None:
    """How many files lie under `folder`, not counting the tooling's own entries at its top (names starting
    with `.` or `_`: markers, `_rejected/`); the total of a per-file bar. None when it is not a folder."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    return sum(
        1
        for entry in folder.iterdir()
        if not entry.name.startswith((".", "_"))
        for p in ([entry] if entry.is_file() else entry.rglob("*"))
        if p.is_file()
    )


def _progress(total_known: bool) -> Progress:
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total_known:
        columns += [BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
    else:
        columns += [TextColumn("{task.fields[detail]}"), TimeElapsedColumn()]
    return Progress(*columns, console=Console(stderr=True), transient=True, disable=not enabled())


@contextlib.contextmanager
def bar(description: str, total: int | None) -> Iterator[Callable[..., None]]:
    """A bar of `total` items; the block calls the yielded function once per item (or with a count)."""
    with _progress(total is not None) as progress:
        task = progress.add_task(description, total=total, detail="")

        def advance(count: int = 1, detail: str | None = None) -> None:
            progress.update(task, advance=count, **({"detail": detail} if detail is not None else {}))

        yield advance


@contextlib.contextmanager
def count_calls(module: object, name: str, description: str, total: int | None) -> Iterator[None]:
    """Advance a bar on every call of `module.name` made inside the block (the module's attribute is wrapped
    for the duration of the block and restored afterwards); for loops that offer no hook of their own."""
    original = getattr(module, name)
    with bar(description, total) as advance:

        @functools.wraps(original)
        def counted(*args, **kwargs):
            try:
                return original(*args, **kwargs)
            finally:
                advance()

        setattr(module, name, counted)
        try:
            yield
        finally:
            setattr(module, name, original)


def _dbt_nodes(log: Path, offset: int) -> tuple[int, tuple[int, int] | None]:
    """Read the log from `offset`; the new offset and the last 'N of M' dbt printed, if any."""
    try:
        with open(log, "rb") as fh:
            fh.seek(offset)
            chunk = fh.read()
    except OSError:
        return offset, None
    matches = DBT_NODE.findall(chunk[: chunk.rfind(b"\n") + 1])
    consumed = offset + chunk.rfind(b"\n") + 1
    if not matches:
        return consumed, None
    done, total = matches[-1]
    return consumed, (int(done), int(total))


def wait(proc: subprocess.Popen, description: str, log: Path | None = None, poll: float = 0.5) -> int:
    """Wait for `proc` while showing the elapsed time and, when its log is dbt's, the nodes done."""
    if not enabled():
        return proc.wait()
    offset = 0
    with _progress(False) as progress:
        task = progress.add_task(description, total=None, detail="")
        while True:
            try:
                return proc.wait(timeout=poll)
            except subprocess.TimeoutExpired:
                pass
            if log is not None:
                offset, nodes = _dbt_nodes(log, offset)
                if nodes:
                    progress.update(task, detail=f"dbt node {nodes[0]:,} of {nodes[1]:,}")

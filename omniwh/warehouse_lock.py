"""Is the DuckDB warehouse free to write? One line naming the process that holds it, and what to do.

    python -m omniwh.warehouse_lock [PATH]      # default $OMNI_DUCKDB_PATH or data/warehouse.duckdb

DuckDB allows one writer per file; a second process gets a long "Could not set lock on file" error that names
the holder's PID deep inside. `make build`/`make test` run this first; the erasure tools use the same message.
Exit 0 when the file is absent or can be opened for writing, 1 when another process holds it.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path


def holder_description(error_text: str) -> str:
    """'process <pid> (<command line>)' from DuckDB's lock error, or 'another process'."""
    match = re.search(r"PID (\d+)", error_text)
    if not match:
        return "another process"
    pid = match.group(1)
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return f"process {pid}"
    return f"process {pid} ({command.strip()[:120]})"


def warehouse_busy_message(duckdb_path: str, exc: Exception) -> str:
    """One line naming the process that holds the DuckDB file, and what to do."""
    return (
        f"the warehouse {duckdb_path} is open by {holder_description(str(exc))}: DuckDB allows one writer. "
        "Wait for it to finish or stop it, then run again (BI and notebooks: read the serving snapshot)."
    )


def check(duckdb_path: str) -> str | None:
    """None when the file is absent or free; else the one-line message."""
    if not Path(duckdb_path).exists():
        return None
    import duckdb

    try:
        duckdb.connect(duckdb_path).close()
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        return warehouse_busy_message(duckdb_path, exc)
    return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else os.environ.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb")
    message = check(path)
    if message:
        print(f"omniwh: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

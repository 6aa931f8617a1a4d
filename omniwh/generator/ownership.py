"""Which landing folders the generator may write into: only one it created or that carries its own marker.

The marker ``<landing>/.omniwh-generated.json`` lists every file the generator wrote (relative path and size).
Before writing, `claim()` refuses a folder holding any file that is not on that list (a retailer's extract,
a file a person copied in, a file of the right name whose size changed), so neither a typo in
``OMNI_LANDING_PATH`` nor ``make data`` can overwrite or delete data it did not write. Ignored: hidden files
at the landing root (tool markers such as the Makefile's ``.complete-<scale>``; dbt never reads them) and
``_rejected/`` (where the preflight moves files it refuses; the generator never touches it).

`is_generated()` is what the build's key check asks (omniwh.duckdb_plugin): the public demo hash key is
accepted only on a landing folder every file of which the generator wrote.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MARKER = ".omniwh-generated.json"
REJECTED_DIR = "_rejected"
_SHOWN = 3  # foreign file names quoted in the refusal


class ForeignLandingError(ValueError):
    """The landing folder holds files the generator did not write: it refuses to write there."""


def landing_files(root: Path) -> dict[str, int]:
    """{path relative to root: size} of every file the ownership rule looks at."""
    found: dict[str, int] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d != REJECTED_DIR]
            files = [f for f in files if not f.startswith(".")]
        for name in files:
            path = here / name
            found[path.relative_to(root).as_posix()] = path.stat().st_size
    return found


def _recorded(root: Path) -> dict[str, int] | None:
    marker = root / MARKER
    if not marker.is_file():
        return None
    try:
        document = json.loads(marker.read_text(encoding="utf-8"))
        return {str(k): int(v) for k, v in document["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # unreadable marker: treat the folder as not ours


def foreign_files(root: Path) -> list[str]:
    """Files under root the generator did not write (all of them when there is no marker)."""
    if not root.is_dir():
        return []
    recorded = _recorded(root) or {}
    return sorted(rel for rel, size in landing_files(root).items() if recorded.get(rel) != size)


def is_generated(root: Path) -> bool:
    """True when root carries the generator's marker and holds no file it did not write."""
    return root.is_dir() and _recorded(root) is not None and not foreign_files(root)


def claim(root: Path) -> None:
    """Make sure the generator may write into root (creating it, with its marker); raise otherwise."""
    foreign = foreign_files(root)
    if foreign:
        shown = ", ".join(foreign[:_SHOWN]) + (
            f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
        )
        raise ForeignLandingError(
            f"{root} holds {len(foreign)} file(s) the generator did not write ({shown}); it never writes "
            f"over or deletes such files. Generate demo data into a new or empty folder (--landing, or "
            f"OMNI_LANDING_PATH), or move those files away first."
        )
    root.mkdir(parents=True, exist_ok=True)
    if _recorded(root) is None:
        record(root)


def record(root: Path) -> None:
    """Write the marker listing every file now under root (call after the generator wrote its files)."""
    document = {
        "written_by": "omniwh generate / append (omniwh.generator)",
        "meaning": "every file listed here was written by the demo-data generator; see docs/generator.md",
        "files": landing_files(root),
    }
    tmp = root / (MARKER + ".tmp")
    tmp.write_text(json.dumps(document, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, root / MARKER)


def warehouse_has_tables(path: Path) -> bool:
    """True when the DuckDB file at path holds any table or view (a build from some landing data); an absent
    or empty file (the linter's dbt connection creates one) is False. A file that cannot be opened counts as
    built: the caller must not assume it is safe to replace its data."""
    if not path.exists():
        return False
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return True
    try:
        return bool(con.execute("select count(*) from information_schema.tables").fetchone()[0])
    finally:
        con.close()


if __name__ == "__main__":
    import sys

    # `python -m omniwh.generator.ownership warehouse-has-tables PATH`: exit 0 when it has, 1 when not
    if sys.argv[1:2] == ["warehouse-has-tables"] and len(sys.argv) == 3:
        sys.exit(0 if warehouse_has_tables(Path(sys.argv[2])) else 1)
    sys.exit("usage: python -m omniwh.generator.ownership warehouse-has-tables PATH")

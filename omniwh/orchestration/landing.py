"""When is a day's landing complete? The rule the Dagster sensor and schedule use, kept free of Dagster.

Extracts land as ``<landing>/<system>/<table>/dt=<load date>/<file>`` (docs/landing_contract.md). Most feeds
deliver only on days with changes, so the presence of a partition proves little for them. The feeds that
deliver every day (by default the store tills, ``pos.transactions`` and ``pos.transaction_lines``: the same
feed the as-of date of the marts waits for) decide: a load date is complete when each of them has a
``dt=<date>`` folder holding at least one file of the table's format. Override the list with
``OMNI_LANDING_DAILY_TABLES`` (comma-separated ``system.table``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

DEFAULT_DAILY_TABLES = ("pos.transactions", "pos.transaction_lines")
PARTITION = re.compile(r"dt=(\d{4}-\d{2}-\d{2})")


def daily_tables() -> tuple[str, ...]:
    """The feeds that must deliver every day: $OMNI_LANDING_DAILY_TABLES or the store tills."""
    value = os.environ.get("OMNI_LANDING_DAILY_TABLES", "")
    tables = tuple(t.strip() for t in value.split(",") if t.strip())
    return tables or DEFAULT_DAILY_TABLES


def _load_dates(table_dir: Path) -> set[dt.date]:
    dates = set()
    if not table_dir.is_dir():
        return dates
    for partition in table_dir.iterdir():
        match = PARTITION.fullmatch(partition.name)
        if not match or not partition.is_dir():
            continue
        if not any(p.is_file() and p.stat().st_size > 0 for p in partition.iterdir()):
            continue
        try:
            dates.add(dt.date.fromisoformat(match.group(1)))
        except ValueError:
            continue
    return dates


def complete_load_dates(landing: Path, tables: tuple[str, ...] | None = None) -> list[dt.date]:
    """Load dates on which every daily feed delivered a non-empty file, oldest first."""
    tables = tables or daily_tables()
    common: set[dt.date] | None = None
    for table in tables:
        system, _, name = table.partition(".")
        dates = _load_dates(landing / system / name)
        common = dates if common is None else common & dates
    return sorted(common or ())


def latest_complete_load_date(landing: Path, tables: tuple[str, ...] | None = None) -> dt.date | None:
    """The newest complete load date, or None when no day is complete yet."""
    dates = complete_load_dates(landing, tables)
    return dates[-1] if dates else None

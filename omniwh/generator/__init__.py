"""Landing-data generator: a simulated retailer's raw per-channel extracts plus the ground truth behind them.

`generate()` writes every load batch up to a date (and the truth); `append()` writes one day's load batch.
Both run the same deterministic simulation, so appending day by day gives the same files as generating.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .config import D0, D_END, PERIOD_END, PERIOD_START, SCALES, Rates, day_number, parse_date
from .ownership import ForeignLandingError, claim, record
from .run import Progress, simulate, write_landing
from .truth import write_truth

__all__ = ["generate", "append", "SCALES", "Rates", "ForeignLandingError"]


def default_landing() -> str:
    return os.environ.get("OMNI_LANDING_PATH", "data/landing")


def default_truth() -> str:
    return os.environ.get("OMNI_TRUTH_PATH", "data/truth")


def _until_day(until: str | None) -> int:
    if until is None:
        return D_END
    d = day_number(parse_date(until))
    if not D0 <= d <= D_END:
        raise ValueError(f"the date must be inside the period {PERIOD_START} .. {PERIOD_END}: got {until}")
    return d


class _spool:
    """A scratch folder beside the landing root (on disk, not in memory) removed afterwards."""

    def __init__(self, landing: str):
        self.parent = os.path.dirname(os.path.abspath(landing)) or "."

    def __enter__(self) -> str:
        os.makedirs(self.parent, exist_ok=True)
        self.path = tempfile.mkdtemp(prefix=".omniwh-spool-", dir=self.parent)
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def generate(
    scale: str = "tiny",
    seed: int = 42,
    landing: str | None = None,
    truth: str | None = None,
    until: str | None = None,
    rates: Rates | None = None,
    quiet: bool = False,
) -> dict:
    """Simulate the whole period; write the loads dated <= until (default: the period end) and the truth."""
    progress = Progress(quiet=quiet)
    landing = landing or default_landing()
    truth = truth or default_truth()
    last = _until_day(until)
    claim(Path(landing))  # refuses a folder holding files the generator did not write
    with _spool(landing) as spool:
        sim = simulate(scale, seed, rates, progress, spool)
        try:
            stats = write_landing(sim, landing, (D0, last), progress, clean=True)
        finally:
            record(Path(landing))  # what was written, even if interrupted, is the generator's
        manifest = write_truth(sim, truth, stats, progress)
    progress(f"done: landing in {landing}, truth in {truth}")
    return manifest


def append(
    date: str,
    scale: str = "tiny",
    seed: int = 42,
    landing: str | None = None,
    rates: Rates | None = None,
    quiet: bool = False,
) -> dict:
    """Write the single daily load batch of `date` (the same rows a full generation writes for that day)."""
    progress = Progress(quiet=quiet)
    landing = landing or default_landing()
    d = _until_day(date)
    claim(Path(landing))
    with _spool(landing) as spool:
        sim = simulate(scale, seed, rates, progress, spool)
        try:
            stats = write_landing(sim, landing, (d, d), progress, clean=False)
        finally:
            record(Path(landing))
    progress(f"done: load batch {date} appended to {landing}")
    return stats

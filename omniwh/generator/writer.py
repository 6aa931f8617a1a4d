"""Load batches: late rows, re-sent duplicates and the partitioned files of every landing table."""

from __future__ import annotations

import functools
import os
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import fmt as F
from . import render as R
from .config import D_END, Rates, day_to_date


@dataclass(frozen=True)
class TableSpec:
    name: str  # "<system>.<table>"
    fmt: str  # csv | parquet
    kind: str  # fact | dim
    extract_minute: int  # minutes after 16:00 UTC (00:00 Asia/Shanghai) when the system's extract runs
    render: Callable
    late_group: int  # rows of tables in the same group with the same late key are late together

    @property
    def system(self) -> str:
        return self.name.split(".")[0]

    @property
    def table(self) -> str:
        return self.name.split(".")[1]


SPECS = [
    TableSpec("stores.store_master", "csv", "dim", 5, R.r_store_master, 1),
    TableSpec("stores.o2o_online_hours", "parquet", "fact", 6, R.r_online_hours, 2),
    TableSpec("pos.transactions", "csv", "fact", 30, R.r_pos_transactions, 3),
    TableSpec("pos.transaction_lines", "csv", "fact", 30, R.r_pos_lines, 3),
    TableSpec("ecommerce.orders", "parquet", "fact", 45, R.r_ecom_orders, 4),
    TableSpec("ecommerce.order_lines", "parquet", "fact", 45, R.r_ecom_lines, 4),
    TableSpec("ecommerce.membership_bindings", "parquet", "dim", 46, R.r_bindings, 5),
    TableSpec("miniprogram.users", "parquet", "dim", 20, R.r_mp_users, 6),
    TableSpec("miniprogram.orders", "parquet", "fact", 20, R.r_mp_orders, 7),
    TableSpec("miniprogram.order_lines", "parquet", "fact", 20, R.r_mp_lines, 7),
    TableSpec("miniprogram.events", "parquet", "fact", 22, R.r_mp_events, 8),
    TableSpec("wecom.staff", "parquet", "dim", 10, R.r_staff, 9),
    TableSpec("wecom.external_contacts", "parquet", "dim", 11, R.r_contacts, 10),
    TableSpec("crm.members", "parquet", "dim", 15, None, 11),
    TableSpec("crm.points_ledger", "parquet", "fact", 16, R.r_ledger, 12),
    TableSpec("crm.tier_changes", "parquet", "fact", 16, R.r_tiers, 13),
    TableSpec("crm.consent_events", "parquet", "fact", 17, R.r_consent, 14),
    TableSpec("marketing.campaigns", "parquet", "dim", 50, R.r_campaigns, 15),
    TableSpec("marketing.audiences", "parquet", "fact", 50, R.r_audiences, 16),
    TableSpec("marketing.touches", "parquet", "fact", 51, R.r_touches, 17),
    TableSpec("marketing.coupon_templates", "parquet", "dim", 50, R.r_templates, 18),
    TableSpec("marketing.coupons_issued", "parquet", "fact", 52, R.r_coupons, 19),
    TableSpec("marketing.coupon_redemptions", "parquet", "fact", 53, R.r_redemptions, 20),
    TableSpec("behaviour.platform_events", "parquet", "fact", 40, R.r_platform_events, 21),
    TableSpec("o2o.delivery_orders", "parquet", "fact", 35, R.r_deliveries, 22),
]
SPEC_BY_NAME = {s.name: s for s in SPECS}


def _hash_u(keys: np.ndarray, salt: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return F.splitmix64(
            np.asarray(keys, np.int64).astype(np.uint64) * np.uint64(0x9E37) + np.uint64(salt)
        )


def plan_loads(spec: TableSpec, frame: dict, rates: Rates, seed: int) -> dict:
    """Assign every row its load date, add late rows and re-sent duplicates. Returns the expanded frame.

    Lateness is drawn per late key (`_lk`: a ticket with its lines, an order with its lines are late
    together); duplicates per row. Both are pure functions of (seed, table, row), so `append` finds the same.
    """
    n = len(frame["_dt"])
    avail = frame["_avail"].astype(np.int64)
    h = _hash_u(frame["_lk"], seed * 1000 + spec.late_group)
    late = (h % np.uint64(1_000_000)).astype(np.int64) < int(rates.late_row_share * 1_000_000)
    lag = np.where(late, 1 + ((h >> np.uint64(32)) % np.uint64(5)).astype(np.int64), 0)
    load = np.minimum(avail + lag, D_END)
    late &= load > avail
    salt = zlib.crc32(spec.name.encode())
    h2 = _hash_u(np.arange(n), seed * 7 + salt)
    dup = (h2 % np.uint64(1_000_000)).astype(np.int64) < int(rates.duplicate_row_share * 1_000_000)
    dup_load = load + 1 + ((h2 >> np.uint64(32)) % np.uint64(3)).astype(np.int64)
    dup &= dup_load <= D_END
    idx = np.concatenate([np.arange(n), np.where(dup)[0]])
    out = {k: v[idx] for k, v in frame.items()}
    out["_load"] = np.concatenate([load, dup_load[dup]])
    out["_late"] = np.concatenate([late, np.zeros(dup.sum(), bool)])
    out["_dup"] = np.concatenate([np.zeros(n, bool), np.ones(dup.sum(), bool)])
    out["_row"] = idx
    if spec.kind == "dim":
        out["_dt"] = out["_load"].copy()
    return out


@functools.lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    return day_to_date(day).isoformat()


def partition_path(root: str, spec: TableSpec, dt_day: int, load_day: int) -> str:
    ext = "csv" if spec.fmt == "csv" else "parquet"
    part = _day_text(load_day).replace("-", "")
    return os.path.join(root, spec.system, spec.table, f"dt={_day_text(dt_day)}", f"part-{part}.{ext}")


def write_file(path: str, table: pa.Table, fmt: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    if fmt == "csv":
        pacsv.write_csv(
            table, tmp, write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed")
        )
    else:
        pq.write_table(table, tmp, compression="snappy")
    os.replace(tmp, path)


def write_table(
    spec: TableSpec,
    frame: dict,
    render,
    ctx,
    root: str,
    loads: tuple[int, int],
    progress=None,
    block_rows: int = 1_500_000,
) -> dict:
    """Write the rows whose load day is in [loads[0], loads[1]]; returns counts."""
    lo, hi = loads
    sel = np.where((frame["_load"] >= lo) & (frame["_load"] <= hi))[0]
    dtv = frame["_dt"][sel]
    ld = frame["_load"][sel]
    order = np.lexsort((sel, ld, dtv))
    sel = sel[order]
    dtv, ld = dtv[order], ld[order]
    n = len(sel)
    files = 0
    if n == 0:
        return {"rows": 0, "files": 0}
    gkey = dtv.astype(np.int64) * 100_000 + ld
    bounds = np.r_[0, np.where(gkey[1:] != gkey[:-1])[0] + 1, n]
    gi = 0
    pending = []
    # file writes run in a small thread pool (Arrow releases the GIL) while the next block is rendered;
    # every file is written whole by one thread, so the bytes do not depend on scheduling
    with ThreadPoolExecutor(max_workers=2) as pool:
        while gi < len(bounds) - 1:
            gj = gi + 1
            while gj < len(bounds) - 1 and bounds[gj] - bounds[gi] < block_rows:
                gj += 1
            a, b = bounds[gi], bounds[gj]
            rows = sel[a:b]
            f = {k: v[rows] for k, v in frame.items()}
            ext = f["_load"].astype(np.int64) * 86400 + 16 * 3600 + spec.extract_minute * 60
            t = render(f, ctx, ext)
            del f
            for fut in pending:
                fut.result()
            pending = []
            for g in range(gi, gj):
                s, e = bounds[g] - a, bounds[g + 1] - a
                path = partition_path(root, spec, int(dtv[bounds[g]]), int(ld[bounds[g]]))
                pending.append(pool.submit(write_file, path, t.slice(s, e - s), spec.fmt))
                files += 1
            if progress:
                progress(f"  {spec.name}: {b:,}/{n:,} rows rendered, {files:,} files")
            gi = gj
        for fut in pending:
            fut.result()
    return {"rows": int(n), "files": files}

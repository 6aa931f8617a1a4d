"""Orchestration: simulate every chunk of people, add the store-level tables, write loads and truth."""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import render as R
from . import sim as S
from .config import D0, D_END, N_DAYS, SCALES, TZ_OFFSET_S, Rates, season_weights
from .world import BANNERS, CAT_MIX, CATEGORIES, SKUS_PER_CATEGORY, build_world, pick_cashier
from .writer import SPECS, plan_loads, write_table

DAY = 86400


class Progress:
    def __init__(self, stream=None, quiet: bool = False):
        self.t0 = time.time()
        self.stream = stream
        self.quiet = quiet

    def __call__(self, msg: str) -> None:
        if not self.quiet:
            print(f"[{time.time() - self.t0:7.1f}s] {msg}", file=self.stream or sys.stderr, flush=True)


@dataclass
class Simulation:
    world: object
    scale: object
    rates: Rates
    seed: int
    sink: S.Sink
    truth: S.Sink
    ctx: R.Ctx
    n_staff: int
    n_test: int


def n_test_accounts(scale) -> int:
    return 3 + scale.stores // 4


def simulate(
    scale_name: str, seed: int, rates: Rates | None = None, progress=None, spool: str | None = None
) -> Simulation:
    """Run the simulation. With `spool`, each chunk's rows go to that folder instead of staying in memory."""
    progress = progress or Progress(quiet=True)
    rates = rates or Rates()
    scale = SCALES[scale_name]
    world = build_world(scale, seed)
    seasons = season_weights()
    n_staff = world.staff.n
    n_test = n_test_accounts(scale)
    assert n_staff + n_test <= scale.chunk, "staff and test accounts must fit in the first chunk"
    sink = S.Sink(os.path.join(spool, "landing") if spool else None)
    truth = S.Sink(os.path.join(spool, "truth") if spool else None)
    ctr = S.Counters()
    n_chunks = (scale.people + scale.chunk - 1) // scale.chunk
    progress(
        f"simulate scale={scale_name} seed={seed}: {scale.people:,} people in {n_chunks} chunk(s), "
        f"{world.stores.n} stores, {n_staff} staff, {len(world.campaigns)} campaigns"
    )
    for c in range(n_chunks):
        gid0 = c * scale.chunk
        n = min(scale.chunk, scale.people - gid0)
        S.ChunkSim(world, scale, rates, seed, c, gid0, n, n_staff, n_test, seasons, ctr, sink, truth).run()
        sink.flush()
        truth.flush()
        progress(
            f"  people {gid0 + n:,}/{scale.people:,} simulated "
            f"({ctr.pos_ticket:,} POS tickets, {ctr.ecom_order:,} e-commerce and {ctr.mp_order:,} "
            f"mini-program orders so far)"
        )
    rng = np.random.default_rng([seed, 99])
    walk_ins(world, rates, seed, sink, truth, ctr, seasons[0], rng)
    store_tables(world, rates, sink, rng)
    staff_table(world, sink, truth, seed, rng)
    campaign_tables(world, sink)
    sink.flush()
    truth.flush()
    ctx = make_ctx(world, seed, sink, truth)
    progress("simulation done")
    return Simulation(world, scale, rates, seed, sink, truth, ctx, n_staff, n_test)


def walk_ins(world, rates, seed, sink, truth, ctr, store_season, rng) -> None:
    """One-off anonymous shoppers (no person behind them in the truth): no card; sometimes a placeholder."""
    st = world.stores
    pos = sink.concat("pos.transactions", ["store", "refund"])
    per_store = np.bincount(pos["store"][~pos["refund"]], minlength=st.n) if pos else np.zeros(st.n)
    share = rates.walkin_ticket_share
    days = D0 + np.arange(N_DAYS)
    open_mat = st.is_open(np.repeat(np.arange(st.n), N_DAYS), np.tile(days, st.n)).reshape(st.n, N_DAYS)
    mass = (open_mat * store_season[None, :]).sum(axis=1)
    lam_sd = np.where(mass > 0, per_store * share / (1 - share) / np.maximum(mass, 1e-9), 0)
    counts = rng.poisson(lam_sd[:, None] * store_season[None, :] * open_mat)
    s_idx, d_idx = np.nonzero(counts)
    k = counts[s_idx, d_idx]
    store = np.repeat(s_idx, k)
    day = D0 + np.repeat(d_idx, k)
    m = len(store)
    ts = S.local_to_utc(day, S.sample_secs(rng, m, S.STORE_HOURS))
    o = np.lexsort((ts, store))
    store, day, ts = store[o], day[o], ts[o]
    key = ctr.take("pos_ticket", m)
    n_lines = 1 + rng.poisson(0.8, size=m)
    lp = np.repeat(np.arange(m), n_lines)
    lno = S.group_rank(lp) + 1
    mixes = np.array([CAT_MIX[b[0]] for b in BANNERS])
    mixes = mixes / mixes.sum(axis=1, keepdims=True)
    cdf = np.cumsum(mixes, axis=1)[st.banner[store[lp]]]
    cat = np.minimum((rng.random(len(lp))[:, None] > cdf).sum(axis=1), len(CATEGORIES) - 1)
    sku = np.minimum(np.searchsorted(world.sku_popularity, rng.random(len(lp))), SKUS_PER_CATEGORY - 1)
    price = world.sku_price_fen[cat, sku]
    qty = 1 + rng.poisson(np.where(price < 3000, 0.5, 0.05))
    lnet = qty * price
    gross = np.bincount(lp, weights=lnet, minlength=m).astype(np.int64)
    till = 1 + (rng.random(m) * st.tills[store]).astype(np.int64)
    cashier = pick_cashier(world.staff, st.n, store, day, rng)
    ph_kind = np.where(
        rng.random(m) < rates.placeholder_phone_keyed, rng.choice(3, size=m, p=[0.4, 0.2, 0.4]), -1
    ).astype(np.int8)
    if rates.identity_realism:
        ph_kind[S.store_placeholder_days(store, day, rates)] = 3
    neg = np.full(m, -1)
    sink.add(
        "pos.transactions",
        key=key,
        store=store,
        till=till,
        cashier=cashier,
        refund=np.zeros(m, bool),
        orig=neg,
        ts=ts,
        card=neg,
        phone=neg,
        fmt=np.full(m, -1, np.int8),
        ph_kind=ph_kind,
        gross=gross,
        disc=np.zeros(m, np.int64),
        net=gross,
        coupon=neg,
        pay=rng.choice(4, size=m, p=[0.2, 0.45, 0.3, 0.05]).astype(np.int8),
        bad=np.full(m, -1, np.int8),
        _dt=S.utc_to_day(ts),
        _avail=S.utc_to_day(ts),
        _lk=key,
    )
    sink.add(
        "pos.transaction_lines",
        key=key[lp],
        line_no=lno,
        cat=cat,
        sku=sku,
        qty=qty,
        price=price,
        net=lnet,
        _dt=S.utc_to_day(ts[lp]),
        _avail=S.utc_to_day(ts[lp]),
        _lk=key[lp],
    )
    truth.add(
        "records",
        kind=0,
        ref=key,
        person=np.full(m, -1),
        linkable=np.zeros(m, bool),
        camp=neg,
        net=gross,
        ts=ts,
        bad=np.full(m, -1, np.int8),
        sub=np.zeros(m, np.int8),
        refund=np.zeros(m, bool),
    )


def store_tables(world, rates, sink, rng) -> None:
    st = world.stores
    rows = {k: [] for k in ("store", "area", "closed", "o2o", "upd", "_dt")}

    def add(s, area, closed, o2o, upd_day, dt_day):
        rows["store"].append(s)
        rows["area"].append(area)
        rows["closed"].append(closed)
        rows["o2o"].append(o2o)
        rows["upd"].append(int(upd_day) * DAY + 10 * 3600 - TZ_OFFSET_S + s * 61)
        rows["_dt"].append(dt_day)

    for s in range(st.n):
        area = st.floor_area[s]
        o2o_now = st.o2o_from_day[s] >= 0 and st.o2o_from_day[s] <= st.listed_day[s]
        first_upd = min(st.listed_day[s], st.opened_day[s]) if st.listed_day[s] > D0 else D0 - 30 - s
        add(s, area, -1, o2o_now, first_upd, st.listed_day[s])
        events = []
        if st.area_change_day[s] >= 0:
            events.append((st.area_change_day[s], "area"))
        if st.o2o_from_day[s] > st.listed_day[s]:
            events.append((st.o2o_from_day[s], "o2o"))
        if st.closed_day[s] >= 0:
            events.append((st.closed_day[s], "close"))
        closed = -1
        for day, kind in sorted(events):
            if day > D_END:
                continue
            if kind == "area":
                area = st.new_floor_area[s]
            elif kind == "o2o":
                o2o_now = True
            else:
                closed = st.closed_day[s]
            add(s, area, closed, o2o_now, day, day)
    f = {k: np.array(v) for k, v in rows.items()}
    f["o2o"] = f["o2o"].astype(bool)
    f["_avail"] = f["_dt"].copy()
    f["_lk"] = f["store"].copy()
    sink.add("stores.store_master", **f)
    # O2O online hours per enabled store and open day
    days = D0 + np.arange(N_DAYS)
    ss, dd = np.meshgrid(np.arange(st.n), days, indexing="ij")
    ss, dd = ss.ravel(), dd.ravel()
    ok = (st.o2o_from_day[ss] >= 0) & (st.o2o_from_day[ss] <= dd) & st.is_open(ss, dd)
    ss, dd = ss[ok], dd[ok]
    sched = st.sched_minutes[ss]
    outage = rng.random(len(ss)) < rates.o2o_outage_day_share
    lost = np.where(outage, rng.integers(10, 241, size=len(ss)), 0)
    online = np.maximum(sched - lost, 0)
    sink.add(
        "stores.o2o_online_hours",
        store=ss,
        sched=sched,
        online=online,
        _dt=dd,
        _avail=dd,
        _lk=ss * 100000 + dd,
    )


def staff_table(world, sink, truth, seed, rng) -> None:
    staff = world.staff
    n = staff.n
    gid = np.arange(n)
    phone = S.person_phone(gid, seed)
    fmt = np.where(rng.random(n) < 0.8, 0, rng.choice([1, 4, 5, 6], size=n)).astype(np.int8)
    first_upd = np.where(staff.joined_day < D0, staff.joined_day, staff.joined_day)
    av = np.maximum(staff.joined_day, D0)
    lv = np.where((staff.left_day >= 0) & (staff.left_day <= D_END))[0]
    idx = np.concatenate([gid, lv])
    upd_day = np.concatenate([first_upd, staff.left_day[lv]])
    left = np.concatenate([np.full(n, -1), staff.left_day[lv]])
    dt_day = np.concatenate([av, staff.left_day[lv]])
    sink.add(
        "wecom.staff",
        staff=idx,
        store=staff.store[idx],
        role=staff.role[idx],
        phone=phone[idx],
        fmt=fmt[idx],
        joined=staff.joined_day[idx],
        left=left,
        upd=upd_day * DAY + 2 * 3600 + idx * 7,
        _dt=dt_day,
        _avail=dt_day,
        _lk=idx,
    )


def campaign_tables(world, sink) -> None:
    aud = sink.concat("marketing.audiences", ["campaign"])
    tch = sink.concat("marketing.touches", ["campaign", "status"])
    camps = world.campaigns
    nc = len(camps)
    sent = np.bincount(tch["campaign"][tch["status"] == 0], minlength=nc) if tch else np.zeros(nc)
    enrolled = np.bincount(aud["campaign"], minlength=nc) if aud else np.zeros(nc)
    rows = {k: [] for k in ("camp", "cost", "upd", "_dt")}
    tpl = {k: [] for k in ("camp", "upd", "_dt")}
    for c in camps:
        per_touch = {"SMS": 0.05, "WECOM": 1.0, "MINIPROGRAM": 0.02, "TMALL": 0.8}[c.channel]
        actual = (
            sent[c.idx] * per_touch
            + (15.0 * enrolled[c.idx] if c.rule_kind == "acquisition" else 0.0)
            + 2000.0
        )
        plan_day = c.start_day - 10
        budget = round(actual * 1.1 / 100) * 100.0
        rows["camp"].append(c.idx)
        rows["cost"].append(budget)
        rows["upd"].append(plan_day)
        rows["_dt"].append(plan_day)
        if c.end_day + 3 <= D_END:
            rows["camp"].append(c.idx)
            rows["cost"].append(round(actual, 2))
            rows["upd"].append(c.end_day + 3)
            rows["_dt"].append(c.end_day + 3)
        if c.template is not None:
            tpl["camp"].append(c.idx)
            tpl["upd"].append(plan_day)
            tpl["_dt"].append(plan_day)
    f = {k: np.array(v) for k, v in rows.items()}
    f["upd"] = f["upd"] * DAY + 3 * 3600 + f["camp"] * 60
    f["_dt"] = np.maximum(f["_dt"], D0)
    f["_avail"] = f["_dt"].copy()
    f["_lk"] = f["camp"].copy()
    sink.add("marketing.campaigns", **f)
    t = {k: np.array(v) for k, v in tpl.items()}
    t["upd"] = t["upd"] * DAY + 3 * 3600 + t["camp"] * 60 + 30
    t["_dt"] = np.maximum(t["_dt"], D0)
    t["_avail"] = t["_dt"].copy()
    t["_lk"] = t["camp"].copy()
    sink.add("marketing.coupon_templates", **t)


def make_ctx(world, seed, sink, truth) -> R.Ctx:
    pos = sink.concat("pos.transactions", ["key", "ts", "till", "store"])
    nkey = int(pos["key"].max()) + 1 if pos else 1
    store = np.zeros(nkey, np.int64)
    till = np.zeros(nkey, np.int64)
    day = np.zeros(nkey, np.int64)
    seq = np.zeros(nkey, np.int64)
    if pos:
        d = S.utc_to_day(pos["ts"])
        o = np.lexsort((pos["key"], pos["ts"], d, pos["till"], pos["store"]))
        g = (pos["store"][o] * 1000 + pos["till"][o]) * 100_000 + d[o]
        sq = S.group_rank(g) + 1
        k = pos["key"][o]
        store[k], till[k], day[k], seq[k] = pos["store"][o], pos["till"][o], d[o], sq
    people = truth.concat("people", ["person", "surname", "g1", "g2", "gender"])
    ns = world.staff.n
    names = R.person_name(
        people["person"][:ns],
        people["surname"][:ns],
        people["g1"][:ns],
        people["g2"][:ns],
        people["gender"][:ns],
    )
    return R.Ctx(world, seed, store, till, day, seq, names, {})


def people_namer(sim: Simulation):
    people = sim.truth.concat("people", ["person", "surname", "g1", "g2", "gender"])
    names = R.person_name(people["person"], people["surname"], people["g1"], people["g2"], people["gender"])

    def lookup(gid):
        return names.take(pa.array(np.asarray(gid, np.int64)))

    return lookup


def write_landing(
    sim: Simulation, root: str, loads: tuple[int, int], progress=None, clean: bool = False
) -> dict:
    progress = progress or Progress(quiet=True)
    stats = {}
    namer = None
    for spec in SPECS:
        frame = sim.sink.concat(spec.name)
        progress(f"{spec.name}: {len(frame.get('_dt', [])):,} rows simulated, planning loads")
        if clean:
            shutil.rmtree(os.path.join(root, spec.system, spec.table), ignore_errors=True)
        if not frame:
            stats[spec.name] = {"rows": 0, "files": 0}
            continue
        planned = plan_loads(spec, frame, sim.rates, sim.seed)
        render = spec.render
        if spec.name == "crm.members":
            namer = namer or people_namer(sim)
            render = lambda f, ctx, ext, _n=namer: R.r_members(f, ctx, ext, _n)  # noqa: E731
        res = write_table(spec, planned, render, sim.ctx, root, loads, progress)
        sel = (planned["_load"] >= loads[0]) & (planned["_load"] <= loads[1])
        res["late_rows"] = int(planned["_late"][sel].sum())
        res["duplicate_rows"] = int(planned["_dup"][sel].sum())
        del planned, frame
        stats[spec.name] = res
        progress(
            f"wrote {spec.name}: {res['rows']:,} rows in {res['files']:,} files "
            f"({res['late_rows']:,} late, {res['duplicate_rows']:,} re-sent)"
        )
    return stats

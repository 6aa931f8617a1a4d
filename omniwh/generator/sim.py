"""Simulation of one chunk of people: who they are, their identities in every system and everything they do.

Every array here is numeric. Texts (ids, time stamps, phone formats) are produced only when a table is
written (render.py). Times are epoch seconds UTC (`*_ts`), days are day numbers (`*_day`, local calendar).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from . import names as nm
from .config import D0, D_END, N_DAYS, TZ_OFFSET_S, Rates, Scale
from .world import BANNERS, CAT_MIX, CATEGORIES, SKUS_PER_CATEGORY, World, pick_cashier

SEG_STORE, SEG_ONLINE, SEG_OMNI = 0, 1, 2
CH_POS, CH_TMALL, CH_JD, CH_MP, CH_O2O = 0, 1, 2, 3, 4
CONSENT_CHANNELS = ["SMS", "WECOM", "MINIPROGRAM", "EMAIL"]
PHONE_FORMATS = [
    "plain",
    "plus86_spaced",
    "0086_dash",
    "86_space",
    "dashed",
    "spaced",
    "fullwidth",
    "stray_spaces",
    "invalid_short",
    "invalid_landline",
    "invalid_prefix",
    # spreadsheet and export damage (identity realism): usable once cleaned, except the last
    "apostrophe",
    "point_zero",
    "scientific",
    "trunk_zero",
    "invisible",
    "scientific_lost",
]
PH_PLAIN = 0
PH_INVALID_FIRST = 8
PH_DAMAGED_FIRST = 11
PH_INVALID_CODES = np.array([8, 9, 10, 16])


def phone_fmt_invalid(fmt: np.ndarray) -> np.ndarray:
    """True where a keyed format code gives text that is not a usable mobile number."""
    return np.isin(np.asarray(fmt), PH_INVALID_CODES)


def store_placeholder_days(store, day, rates: Rates) -> np.ndarray:
    """Per ticket: is its store-day one on which the cashier keys the store's made-up number?

    A fixed hash of (store, day), so that every chunk of people and the walk-ins agree on the days.
    """
    mixed = (np.asarray(store, np.int64) * 1_000_003 + np.asarray(day, np.int64) * 7_919) % 1_000_033
    return (mixed * 2_654_435_761 % 1_000_033) / 1_000_033 < rates.store_placeholder_day_share


def damage_phone_formats(fmt: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """A share of usable formats replaced by the damage of a spreadsheet or an export (identity realism)."""
    fmt = np.asarray(fmt).copy()
    hit = (fmt >= 0) & ~phone_fmt_invalid(fmt) & (rng.random(len(fmt)) < share)
    fmt[hit] = PH_DAMAGED_FIRST + rng.choice(6, size=int(hit.sum()), p=[0.3, 0.25, 0.15, 0.1, 0.15, 0.05])
    return fmt.astype(np.int8)


# persons' mobile prefixes: 138 and 139 are kept for placeholders and store phones, so no person collides
PERSON_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        134,
        135,
        136,
        137,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        166,
        170,
        173,
        175,
        176,
        177,
        178,
        180,
        181,
        182,
        183,
        184,
        185,
        186,
        187,
        188,
        189,
        191,
        198,
        199,
    ]
)
P8 = 99_999_989  # prime < 1e8: phone suffixes are a permutation of person numbers
P11 = 99_999_999_977  # prime < 1e11: card numbers
PHONE_CHANGE_OFFSET = 50_000_000
DAY = 86400
# gid offset of a person's second card number or second platform buyer account (identity realism): beyond
# the people of every scale, so no second id equals anyone's first
SECOND_ID_OFFSET = 5_000_000
BAD_KINDS = [
    "unknown_store",
    "negative_amount_on_sale",
    "invalid_timestamp",
    "invalid_amount",
    "refund_without_original",
]


def person_phone(gid: np.ndarray, seed: int, version: int = 0) -> np.ndarray:
    """Unique 11-digit mobile of a person number (version 1 = the number a phone changer moves to)."""
    g = np.asarray(gid, dtype=np.int64) + version * PHONE_CHANGE_OFFSET
    a = 7_368_787 + (seed % 1000) * 2
    b = (seed * 7_919) % P8
    suffix = (g * a + b) % P8
    pref = PERSON_PREFIXES[(g * 31 + seed) % len(PERSON_PREFIXES)]
    return pref * 100_000_000 + suffix


def card_number(gid: np.ndarray, seed: int) -> np.ndarray:
    g = np.asarray(gid, dtype=np.int64)
    return 100_000_000_000 + (g * 3_141_592_653 + seed * 97) % P11


@dataclass
class Counters:
    """Running id counters shared by all chunks (chunks run in order, so ids are deterministic)."""

    pos_ticket: int = 0
    ecom_order: int = 0
    mp_order: int = 0
    delivery: int = 0
    ledger: int = 0
    touch: int = 0
    coupon: int = 0
    redemption: int = 0
    mp_event: int = 0
    platform_event: int = 0

    def take(self, name: str, n: int) -> np.ndarray:
        start = getattr(self, name)
        setattr(self, name, start + int(n))
        return np.arange(start, start + int(n), dtype=np.int64)


class Sink:
    """Collects numeric frames per table. With a spool folder, each chunk's rows are flushed to disk
    (uncompressed .npy files) so that memory holds one chunk at a time; `concat` reads a table back."""

    def __init__(self, spool: str | None = None):
        self.frames: dict = {}
        self.spool = spool
        self.flushed: dict = {}  # table -> number of flushed parts

    def add(self, table: str, **cols) -> None:
        n = None
        for k, v in cols.items():
            v = np.asarray(v)
            if v.ndim == 0:
                continue
            if n is None:
                n = len(v)
            elif len(v) != n:
                raise ValueError(f"{table}.{k}: {len(v)} rows, expected {n}")
        cols = {k: (np.full(n, v) if np.ndim(v) == 0 else np.asarray(v)) for k, v in cols.items()}
        self.frames.setdefault(table, []).append(cols)

    def flush(self) -> None:
        if self.spool is None:
            return
        for table, parts in self.frames.items():
            i = self.flushed.get(table, 0)
            d = os.path.join(self.spool, table, f"{i:05d}")
            os.makedirs(d, exist_ok=True)
            for k in parts[0]:
                np.save(os.path.join(d, k + ".npy"), np.concatenate([p[k] for p in parts]))
            self.flushed[table] = i + 1
        self.frames = {}

    def concat(self, table: str, columns: list[str] | None = None) -> dict:
        parts = []
        for i in range(self.flushed.get(table, 0)):
            d = os.path.join(self.spool, table, f"{i:05d}")
            names = columns or sorted(f[:-4] for f in os.listdir(d))
            parts.append({k: np.load(os.path.join(d, k + ".npy")) for k in names})
        for p in self.frames.get(table, []):
            parts.append({k: p[k] for k in (columns or p.keys())})
        if not parts:
            return {}
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def seg_lookup(table: dict, seg: np.ndarray) -> np.ndarray:
    vals = np.array([table["store_only"], table["online_only"], table["omni"]])
    return vals[seg]


def cum_weights(w: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(w)])


def sample_days(rng, lo: np.ndarray, hi: np.ndarray, cw: np.ndarray) -> np.ndarray:
    """One day per row in [lo, hi] (period-relative indexes) with density ~ the season weights."""
    u = cw[lo] + rng.random(len(lo)) * (cw[hi + 1] - cw[lo])
    d = np.searchsorted(cw, u, side="right") - 1
    return np.clip(d, lo, hi)


STORE_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0.3, 0.8, 1.0, 1.3, 1.6, 1.5, 1.1, 1.0, 1.0, 1.2, 1.6, 1.9, 1.7, 1.3, 0.8, 0.3, 0]
)
ONLINE_HOURS = np.array(
    [
        0.5,
        0.3,
        0.15,
        0.1,
        0.08,
        0.1,
        0.2,
        0.4,
        0.7,
        0.9,
        1.0,
        1.1,
        1.2,
        1.0,
        1.0,
        1.0,
        1.0,
        1.0,
        1.1,
        1.3,
        1.6,
        1.9,
        1.8,
        1.1,
    ]
)


def sample_secs(rng, n: int, hours: np.ndarray) -> np.ndarray:
    h = rng.choice(24, size=n, p=hours / hours.sum())
    return h * 3600 + rng.integers(0, 3600, size=n)


def local_to_utc(day: np.ndarray, secs: np.ndarray) -> np.ndarray:
    return np.asarray(day, np.int64) * DAY + np.asarray(secs, np.int64) - TZ_OFFSET_S


def utc_to_day(ts: np.ndarray) -> np.ndarray:
    return (np.asarray(ts, np.int64) + TZ_OFFSET_S) // DAY


def group_rank(keys: np.ndarray) -> np.ndarray:
    """0-based rank of each row within its run of equal keys (keys must be sorted)."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, np.int64)
    start = np.r_[True, keys[1:] != keys[:-1]]
    idx = np.arange(n)
    first = np.maximum.accumulate(np.where(start, idx, 0))
    return idx - first


class ChunkSim:
    def __init__(
        self,
        world: World,
        scale: Scale,
        rates: Rates,
        seed: int,
        chunk: int,
        gid0: int,
        n: int,
        n_staff: int,
        n_test: int,
        seasons,
        counters: Counters,
        sink: Sink,
        truth: Sink,
    ):
        self.w, self.scale, self.r, self.seed = world, scale, rates, seed
        self.chunk, self.gid0, self.n = chunk, gid0, n
        self.n_staff, self.n_test = n_staff, n_test
        self.cw_store, self.cw_online = cum_weights(seasons[0]), cum_weights(seasons[1])
        self.ctr, self.sink, self.truth = counters, sink, truth
        self.rng = np.random.default_rng([seed, 1, chunk])

    # ------------------------------------------------------------------------------------------------
    def run(self) -> None:
        self.people()
        self.identities()
        self.consent()
        self.base_purchases()
        self.campaigns()
        self.purchases()
        self.pos()
        self.ecommerce()
        self.miniprogram()
        self.o2o()
        self.loyalty()
        self.behaviour()
        self.dimensions()

    # ------------------------------------------------------------------------------------------------
    def people(self) -> None:
        rng, r, n, w = self.rng, self.r, self.n, self.w
        st = w.stores
        gid = self.gid0 + np.arange(n, dtype=np.int64)
        self.gid = gid
        is_staff = gid < self.n_staff
        is_test = (gid >= self.n_staff) & (gid < self.n_staff + self.n_test)
        self.is_staff, self.is_test = is_staff, is_test
        p_seg = [
            r.segment_store_only,
            r.segment_online_only,
            1 - r.segment_store_only - r.segment_online_only,
        ]
        seg = rng.choice(3, size=n, p=p_seg)
        seg[is_staff] = SEG_OMNI
        seg[is_test] = SEG_STORE
        self.seg = seg
        self.gender = (rng.random(n) < 0.45).astype(np.int8)  # 1 = male
        age = np.clip(rng.normal(39, 13, size=n), 18, 82)
        self.birth_day = (D0 - age * 365.25).astype(np.int64)
        self.surname = rng.choice(
            len(nm.SURNAMES), size=n, p=np.array(nm.SURNAME_WEIGHTS) / sum(nm.SURNAME_WEIGHTS)
        )
        self.given1 = rng.integers(0, 30, size=n)
        self.given2 = np.where(rng.random(n) < 0.7, rng.integers(0, 30, size=n), -1)
        # home store: bigger stores pull more people
        pull = np.sqrt(st.floor_area.astype(float))
        home = rng.choice(st.n, size=n, p=pull / pull.sum())
        staff_idx = np.where(is_staff, gid, 0)
        home = np.where(is_staff, w.staff.store[np.minimum(staff_idx, w.staff.n - 1)], home)
        self.home = home
        existing = rng.random(n) < r.existing_customer_share
        start = np.where(existing, D0, D0 + rng.integers(0, N_DAYS, size=n))
        start = np.maximum(start, np.where(st.opened_day[home] > D0, st.opened_day[home], D0))
        start[is_test] = D0
        # staff shop from the day they join (staff of stores opening inside the period join shortly before)
        joined = self.w.staff.joined_day[np.minimum(staff_idx, self.w.staff.n - 1)]
        start[is_staff] = np.maximum(joined[is_staff], D0)
        existing &= start == D0
        p = rng.beta(r.churn_beta_a, r.churn_beta_b, size=n)
        months = rng.geometric(p)
        end = start + ((months - rng.random(n)) * 30.44).astype(np.int64)
        end[is_staff | is_test] = D_END + 1000
        closed = st.closed_day[home]
        end = np.where(closed >= 0, np.minimum(end, closed - 1), end)
        self.churn_p = p
        self.start, self.end = start, end
        self.existing = existing
        self.churn_day = np.where(end <= D_END, end, -1)
        mean = seg_lookup(r.purchase_rate_mean_per_year, seg)
        k = r.purchase_rate_gamma_shape
        lam = rng.gamma(k, mean / k)
        lam[is_staff] = np.maximum(lam[is_staff], 6.0) * 1.5
        lam[is_test] = 3.0
        self.lam = lam
        online_share = np.where(
            seg == SEG_ONLINE, 1.0, np.where(seg == SEG_OMNI, rng.beta(2, 3, size=n), 0.0)
        )
        self.online_share = online_share
        # families sharing one phone (2-4 persons, same home store)
        fam_head = np.arange(n)
        cand = np.where(~is_staff & ~is_test & (rng.random(n) < r.family_share))[0]
        rng.shuffle(cand)
        sizes = []
        i = 0
        while i < len(cand):
            s = int(rng.integers(2, 5))
            sizes.append(min(s, len(cand) - i))
            i += s
        pos = 0
        for s in sizes:
            if s >= 2:
                members = cand[pos : pos + s]
                fam_head[members] = members[0]
            pos += s
        self.fam_head = fam_head
        self.in_family = np.bincount(fam_head, minlength=n)[fam_head] >= 2
        self.home = home[fam_head]
        self.home = np.where(is_staff, home, self.home)
        self.city = st.city[self.home]

    # ------------------------------------------------------------------------------------------------
    def identities(self) -> None:
        rng, r, n = self.rng, self.r, self.n
        seg, gid, st = self.seg, self.gid, self.w.stores
        online_capable = seg != SEG_STORE
        self.has_mp = rng.random(n) < seg_lookup(r.mp_user_share, seg)
        self.has_tmall = online_capable & (rng.random(n) < r.tmall_buyer_share)
        self.has_jd = online_capable & (rng.random(n) < r.jd_buyer_share)
        none = (seg == SEG_ONLINE) & ~self.has_mp & ~self.has_tmall & ~self.has_jd
        self.has_tmall |= none
        self.has_mp[self.is_test] = False
        # membership
        member = rng.random(n) < seg_lookup(r.member_share, seg)
        member |= self.is_staff | self.is_test
        enrol = np.where(self.existing, D0 - rng.integers(1, 1095, size=n), self.start)
        # an employee card is issued when the employee joins
        enrol[self.is_staff] = np.maximum(
            self.w.staff.joined_day[np.minimum(gid[self.is_staff], self.w.staff.n - 1)], D0 - 1095
        )
        enrol[self.is_test] = D0 - 400 - (gid[self.is_test] % 50)
        enrol_channel = np.zeros(n, np.int8)  # 0 POS 1 MINIPROGRAM 2 TMALL 3 JD 4 WECOM
        online_enrol = seg == SEG_ONLINE
        enrol_channel[online_enrol] = np.where(
            self.has_mp[online_enrol], 1, np.where(self.has_tmall[online_enrol], 2, 3)
        )
        omni_mp = (seg == SEG_OMNI) & self.has_mp & (rng.random(n) < 0.3)
        enrol_channel[omni_mp] = 1
        enrol_channel[(seg == SEG_OMNI) & ~omni_mp & (rng.random(n) < 0.08)] = 4
        # ACQUISITION campaign: non-members with a mini-program account alive in the window enrol then
        self.acq_campaign = -1
        self.acquired = np.zeros(n, bool)
        for c in self.w.campaigns:
            if c.rule_kind != "acquisition":
                continue
            alive = (self.start <= c.end_day) & (self.end >= c.start_day)
            cand = ~member & self.has_mp & alive & ~self.is_staff & ~self.is_test
            pick = cand & (rng.random(n) < 0.30)
            lo = np.maximum(self.start, c.start_day)
            hi = np.minimum(np.minimum(self.end, c.end_day), D_END)
            enrol = np.where(pick, lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64), enrol)
            enrol_channel[pick] = 1
            member |= pick
            self.acquired = pick
            self.acq_campaign = c.idx
        self.member = member
        self.enrol_day = np.where(member, enrol, -1)
        self.enrol_ts = local_to_utc(self.enrol_day, rng.integers(9 * 3600, 21 * 3600, size=n))
        self.enrol_channel = enrol_channel
        self.card_type = np.where(self.is_staff, 1, np.where(self.is_test, 2, 0)).astype(np.int8)
        card = card_number(gid, self.seed)
        card = np.where(self.is_staff, 900_000_000_000 + gid * 7 + 13, card)
        card = np.where(self.is_test, 1000 + (gid - self.n_staff) * 3, card)  # 000000001000... test cards
        self.card = np.where(member, card, -1)
        cancel = member & ~self.is_staff & ~self.is_test & (rng.random(n) < r.member_cancel_share)
        lo = np.maximum(self.enrol_day, D0) + 30
        self.cancel_day = np.where(
            cancel & (lo < D_END), lo + (rng.random(n) * np.maximum(D_END - lo, 1)).astype(np.int64), -1
        )
        self.cancel_day = np.where(self.cancel_day > D_END, -1, self.cancel_day)
        # phones
        own = person_phone(gid, self.seed)
        self.phone = own[self.fam_head]
        changer = (
            member & ~self.in_family & ~self.is_staff & ~self.is_test & (rng.random(n) < r.phone_change_share)
        )
        lo = np.maximum(np.maximum(self.start, self.enrol_day), D0) + 20
        hi = np.minimum(self.end, D_END) - 20
        changer &= hi > lo
        self.change_day = np.where(
            changer, lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64), -1
        )
        self.new_phone = np.where(changer, person_phone(gid, self.seed, 1), -1)
        self.recycled_from = np.full(n, -1, np.int64)
        if r.identity_realism:
            self.recycle_phones(member)
        # CRM phone as typed at enrolment: format and validity
        odd = rng.random(n) < r.crm_phone_odd_format_share
        fmt = np.where(odd, rng.integers(1, 8, size=n), PH_PLAIN)
        bad = rng.random(n) < r.crm_phone_invalid_share
        fmt = np.where(bad, rng.integers(PH_INVALID_FIRST, PH_DAMAGED_FIRST, size=n), fmt)
        fmt[self.is_test] = PH_PLAIN
        if r.identity_realism:
            fmt = damage_phone_formats(fmt, rng, r.spreadsheet_damage_share)
            fmt[self.is_test] = PH_PLAIN
        self.crm_phone_fmt = fmt.astype(np.int8)
        # mini-program
        reg = np.where(self.existing, D0 - rng.integers(1, 700, size=n), self.start)
        self.mp_reg_day = np.where(self.has_mp, reg, -1)
        self.mp_reg_ts = local_to_utc(self.mp_reg_day, sample_secs(rng, n, ONLINE_HOURS))
        self.mp_unionid = self.has_mp & (rng.random(n) < r.mp_unionid_share)
        auth = self.has_mp & (rng.random(n) < r.mp_phone_authorised_share)
        later = rng.random(n) < 0.5
        hi = np.minimum(self.end, D_END)
        lo = np.maximum(self.mp_reg_day, D0)
        auth_day = np.where(
            later & (hi > lo), lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64), self.mp_reg_day
        )
        self.mp_auth_day = np.where(auth, auth_day, -1)
        self.mp_auth_ts = np.where(
            auth,
            np.where(
                auth_day == self.mp_reg_day,
                self.mp_reg_ts + rng.integers(20, 600, size=n),
                local_to_utc(auth_day, sample_secs(rng, n, ONLINE_HOURS)),
            ),
            -1,
        )
        # platform buyers and membership bindings
        self.bind_tmall = self.has_tmall & member & (rng.random(n) < r.binding_share)
        self.bind_jd = self.has_jd & member & (rng.random(n) < r.binding_share)
        for plat in ("tmall", "jd"):
            b = getattr(self, f"bind_{plat}")
            lo = np.maximum(self.enrol_day, D0 - 600)
            hi = np.minimum(self.end, D_END)
            day = np.where(
                b & (hi > lo),
                lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64),
                np.maximum(lo, D0 - 600),
            )
            ts = local_to_utc(day, sample_secs(rng, n, ONLINE_HOURS))
            setattr(self, f"bind_{plat}_ts", np.where(b, ts, -1))
            unb = b & (rng.random(n) < r.unbinding_share)
            uday = np.maximum(day, D0) + 1 + (rng.random(n) * 300).astype(np.int64)
            unb &= uday <= D_END
            setattr(
                self,
                f"unbind_{plat}_ts",
                np.where(unb, local_to_utc(uday, sample_secs(rng, n, ONLINE_HOURS)), -1),
            )
        self.card2 = np.full(n, -1, np.int64)
        self.card2_day = np.full(n, -1, np.int64)
        self.card2_kind = np.zeros(n, np.int8)  # 1 re-issued (old card cancelled), 2 duplicate enrolment
        self.rebind_day = {"tmall": np.full(n, -1, np.int64), "jd": np.full(n, -1, np.int64)}
        if r.identity_realism:
            self.second_identities(member)
        # WeCom: guides befriend members who shop in stores
        staff = self.w.staff
        guides = np.where(staff.role == 0)[0]
        contact = (
            member
            & (seg != SEG_ONLINE)
            & ~self.is_test
            & ~self.is_staff
            & (rng.random(n) < r.wecom_contact_share)
        )
        self.wecom = contact
        g_store = staff.store[guides]
        # a guide of the home store, else of the fallback store, else any guide
        first = np.searchsorted(g_store, np.arange(st.n))
        cnt = np.bincount(g_store, minlength=st.n)
        hs = self.home
        hs = np.where(cnt[hs] > 0, hs, st.fallback[hs])
        pick = np.where(
            cnt[hs] > 0,
            first[hs] + (rng.random(n) * np.maximum(cnt[hs], 1)).astype(np.int64),
            rng.integers(0, len(guides), size=n),
        )
        self.guide = guides[np.minimum(pick, len(guides) - 1)]
        lo = np.maximum(self.enrol_day, D0 - 500)
        hi = np.minimum(self.end, D_END)
        add_day = lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64)
        add_day = np.maximum(add_day, staff.joined_day[self.guide] + 1)
        self.wecom &= add_day <= D_END
        self.wecom_add_ts = local_to_utc(add_day, sample_secs(rng, n, STORE_HOURS))
        self.wecom_unionid_shown = rng.random(n) >= r.wecom_unionid_missing_share
        dele = self.wecom & (rng.random(n) < r.wecom_deleted_share)
        del_day = np.maximum(add_day, D0) + 1 + (rng.random(n) * 400).astype(np.int64)
        left = staff.left_day[self.guide]
        dele |= self.wecom & (left >= 0) & (left <= D_END)  # a leaving guide's contacts are deleted
        del_day = np.where(
            (left >= 0) & (left <= D_END),
            np.minimum(np.maximum(left, add_day + 1), np.where(dele, del_day, D_END + 9)),
            del_day,
        )
        dele &= del_day <= D_END
        self.wecom_del_ts = np.where(dele, local_to_utc(del_day, sample_secs(rng, n, STORE_HOURS)), -1)
        self.wecom2 = self.wecom & (rng.random(n) < r.wecom_second_guide_share)
        self.guide2 = guides[rng.integers(0, len(guides), size=n)]
        self.wecom2 &= self.guide2 != self.guide
        self.wecom2_add_ts = self.wecom_add_ts + rng.integers(DAY, 200 * DAY, size=n)
        self.wecom2 &= utc_to_day(self.wecom2_add_ts) <= D_END
        self.wecom2 &= utc_to_day(self.wecom2_add_ts) > staff.joined_day[self.guide2]
        self.add_way = rng.choice(4, size=n, p=[0.6, 0.1, 0.15, 0.15])
        self.add_way2 = rng.choice(4, size=n, p=[0.6, 0.1, 0.15, 0.15])

    # ------------------------------------------------------------------------------------------------
    def consent(self) -> None:
        """Consent decisions at enrolment, withdrawals (OPT_OUT) over time and some renewed opt-ins."""
        rng, r = self.rng, self.r
        m = self.member & ~self.is_test
        rows_ch, rows_status, rows_ts, rows_src, rows_p = [], [], [], [], []
        p_in = [r.consent_sms_optin_at_enrol, 0.85, 0.70, r.consent_email_optin_at_enrol]
        applies = [m, m & self.wecom, m & self.has_mp, m]
        self.consent_hist = {}
        for ci in range(4):
            who = np.where(applies[ci])[0]
            base_ts = self.enrol_ts[who] + rng.integers(0, 120, size=len(who))
            if ci == 1:
                base_ts = np.maximum(base_ts, self.wecom_add_ts[who] + 60)
            opt_in = rng.random(len(who)) < p_in[ci]
            ev_p = [who]
            ev_st = [np.where(opt_in, 0, 1)]
            ev_ts = [base_ts]
            ev_src = [np.zeros(len(who), np.int8)]
            # withdrawal: exponential waiting time from max(enrol, period start)
            wait = rng.exponential(365.25 / r.consent_optout_per_year, size=len(who))
            t0 = np.maximum(base_ts, D0 * DAY)
            out_ts = t0 + (wait * DAY).astype(np.int64)
            out = opt_in & (utc_to_day(out_ts) <= D_END)
            ev_p.append(who[out])
            ev_st.append(np.ones(out.sum(), np.int8))
            ev_ts.append(out_ts[out])
            ev_src.append(np.where(ci in (0, 3), 1, 3) * np.ones(out.sum(), np.int8))
            back = out & (rng.random(len(who)) < r.consent_reoptin_share)
            back_ts = out_ts + rng.integers(10, 300, size=len(who)) * DAY
            back &= utc_to_day(back_ts) <= D_END
            ev_p.append(who[back])
            ev_st.append(np.zeros(back.sum(), np.int8))
            ev_ts.append(back_ts[back])
            ev_src.append(np.full(back.sum(), 2, np.int8))
            p = np.concatenate(ev_p)
            ts = np.concatenate(ev_ts)
            stt = np.concatenate(ev_st)
            order = np.lexsort((ts, p))
            self.consent_hist[ci] = (p[order], ts[order], stt[order])
            rows_p.append(p)
            rows_ch.append(np.full(len(p), ci, np.int8))
            rows_status.append(stt)
            rows_ts.append(ts)
            rows_src.append(np.concatenate(ev_src))
        p = np.concatenate(rows_p)
        ts = np.concatenate(rows_ts)
        order = np.lexsort((ts, p))
        p, ts = p[order], ts[order]
        self.sink.add(
            "crm.consent_events",
            card=self.card[p],
            channel=np.concatenate(rows_ch)[order],
            status=np.concatenate(rows_status)[order],
            ts=ts,
            source=np.concatenate(rows_src)[order],
            _dt=utc_to_day(ts),
            _avail=np.maximum(utc_to_day(ts), D0),
            _lk=self.card[p],
        )

    def opted_in_at(self, ci: int, who: np.ndarray, ts: int) -> np.ndarray:
        """Whether each person in `who` is opted in to consent channel ci at time ts (latest event wins)."""
        p, t, s = self.consent_hist[ci]
        key = p.astype(np.int64) * (1 << 40) + (t - (D0 - 2000) * DAY)
        q = who.astype(np.int64) * (1 << 40) + (ts - (D0 - 2000) * DAY)
        i = np.searchsorted(key, q, side="right") - 1
        ok = i >= 0
        i = np.maximum(i, 0)
        ok &= p[i] == who
        return ok & (s[i] == 0)

    # ------------------------------------------------------------------------------------------------
    def base_purchases(self) -> None:
        """How many purchases each person makes in each channel and on which days."""
        rng, r, n = self.rng, self.r, self.n
        lo = np.clip(self.start - D0, 0, N_DAYS - 1)
        hi = np.clip(np.minimum(self.end, D_END) - D0, 0, N_DAYS - 1)
        active = (self.end >= D0) & (self.start <= D_END) & (hi >= lo)
        store_rate = self.lam * (1 - self.online_share)
        o2o_home = self.w.stores.o2o_from_day[self.home] >= 0
        o2o_rate = np.where(o2o_home, store_rate * r.o2o_platform_share, 0)
        store_rate = store_rate - o2o_rate
        online = self.lam * self.online_share
        wts = np.stack([self.has_tmall * 0.5, self.has_jd * 0.25, self.has_mp * 0.35], axis=1)
        tot = wts.sum(axis=1)
        shares = np.where(tot[:, None] > 0, wts / np.maximum(tot, 1e-9)[:, None], 0)
        store_mass = (self.cw_store[hi + 1] - self.cw_store[lo]) / 365.25
        online_mass = (self.cw_online[hi + 1] - self.cw_online[lo]) / 365.25
        rates = [
            store_rate * store_mass,
            online * shares[:, 0] * online_mass,
            online * shares[:, 1] * online_mass,
            online * shares[:, 2] * online_mass,
            o2o_rate * store_mass,
        ]
        P, C, Dd = [], [], []
        for ch, lam in enumerate(rates):
            k = rng.poisson(np.where(active, lam, 0))
            who = np.repeat(np.arange(n), k)
            cw = self.cw_store if ch in (CH_POS, CH_O2O) else self.cw_online
            d = D0 + sample_days(rng, lo[who], hi[who], cw)
            P.append(who)
            C.append(np.full(len(who), ch, np.int8))
            Dd.append(d)
        self.bp_person = np.concatenate(P)
        self.bp_channel = np.concatenate(C)
        self.bp_day = np.concatenate(Dd)
        # history key for audience rules
        order = np.lexsort((self.bp_day, self.bp_person))
        self.bp_person, self.bp_channel, self.bp_day = (
            self.bp_person[order],
            self.bp_channel[order],
            self.bp_day[order],
        )

    def purchased_between(self, who: np.ndarray, lo_day: int, hi_day: int) -> np.ndarray:
        """Whether each person bought anything on days [lo_day, hi_day)."""
        key = self.bp_person * 100_000 + (self.bp_day - D0 + 50_000)
        a = np.searchsorted(key, who * 100_000 + (lo_day - D0 + 50_000))
        b = np.searchsorted(key, who * 100_000 + (hi_day - D0 + 50_000))
        return b > a

    # ------------------------------------------------------------------------------------------------
    def campaigns(self) -> None:
        rng, r = self.rng, self.r
        inc_p, inc_day, inc_ch, inc_camp, inc_coupon, inc_sent = [], [], [], [], [], []
        self.coupons = []  # (code, person, campaign, issued_ts, expires_ts, scope)
        for c in self.w.campaigns:
            send = c.start_day
            send_ts = local_to_utc(np.array([send]), np.array([10 * 3600]))[0]
            if c.rule_kind == "acquisition":
                who = np.where(self.acquired)[0]
                hold = np.zeros(len(who), bool)
                assigned_ts = self.enrol_ts[who] + rng.integers(5, 300, size=len(who))
            else:
                # the CRM selects the audience two days before the send, on the consent state of that moment
                assign_ts = local_to_utc(np.array([send - 2]), np.array([9 * 3600]))[0]
                base = self.member & (self.card_type == 0) & (self.enrol_day < send - 2)
                base &= (self.cancel_day < 0) | (self.cancel_day > send)
                if c.banner is not None:
                    base &= self.w.stores.banner[self.home] == ["DS", "HM", "SM", "CV"].index(c.banner)
                who = np.where(base)[0]
                if c.channel == "SMS":
                    ok = self.opted_in_at(0, who, assign_ts) & ~phone_fmt_invalid(self.crm_phone_fmt[who])
                elif c.channel == "WECOM":
                    ok = (
                        self.opted_in_at(1, who, assign_ts)
                        & self.wecom[who]
                        & (self.wecom_add_ts[who] < assign_ts)
                    )
                    ok &= (self.wecom_del_ts[who] < 0) | (self.wecom_del_ts[who] > send_ts)
                elif c.channel == "MINIPROGRAM":
                    ok = (
                        self.opted_in_at(2, who, assign_ts)
                        & (self.mp_reg_ts[who] < assign_ts)
                        & self.has_mp[who]
                    )
                else:  # TMALL: members bound on Tmall
                    ok = self.bind_tmall[who] & (self.bind_tmall_ts[who] < assign_ts)
                    ok &= (self.unbind_tmall_ts[who] < 0) | (self.unbind_tmall_ts[who] > send_ts)
                who = who[ok]
                if c.rule_kind == "active365":
                    keep = self.purchased_between(who, send - 365, send) | (
                        self.existing[who] & (send - D0 < 200)
                    )
                elif c.rule_kind == "lapsed90":
                    recent = self.purchased_between(who, send - 90, send)
                    before = self.purchased_between(who, D0 - 1, send - 90) | self.existing[who]
                    keep = ~recent & before
                else:
                    keep = np.ones(len(who), bool)
                who = who[keep]
                who = who[rng.random(len(who)) < c.audience_share]
                hold = rng.random(len(who)) < c.holdout_rate
                assigned_ts = np.full(len(who), assign_ts) + rng.integers(0, 3600, size=len(who))
            self.sink.add(
                "marketing.audiences",
                campaign=c.idx,
                card=self.card[who],
                is_holdout=hold,
                ts=assigned_ts,
                _dt=utc_to_day(assigned_ts),
                _avail=utc_to_day(assigned_ts),
                _lk=self.card[who],
            )
            self.truth.add("audience", campaign=c.idx, person=self.gid[who], is_holdout=hold)
            treated = who[~hold]
            nt = len(treated)
            # touch funnel
            if c.rule_kind == "acquisition":
                sent_ts = assigned_ts[~hold]
            else:
                sent_ts = send_ts + rng.integers(0, 4 * 3600, size=nt)
            deliv = rng.random(nt) < r.touch_delivered
            opened = deliv & (rng.random(nt) < r.touch_opened)
            clicked = opened & (rng.random(nt) < r.touch_clicked)
            t1 = sent_ts + rng.integers(1, 120, size=nt)
            t2 = t1 + rng.integers(60, 2 * DAY, size=nt)
            t3 = t2 + rng.integers(5, 1800, size=nt)
            tp = np.concatenate([treated, treated[deliv], treated[opened], treated[clicked]])
            tst = np.concatenate(
                [np.zeros(nt), np.ones(deliv.sum()), np.full(opened.sum(), 2), np.full(clicked.sum(), 3)]
            ).astype(np.int8)
            tts = np.concatenate([sent_ts, t1[deliv], t2[opened], t3[clicked]])
            order = np.lexsort((tst, tp))
            tp, tst, tts = tp[order], tst[order], tts[order]
            ids = self.ctr.take("touch", len(tp))
            self.sink.add(
                "marketing.touches",
                touch=ids,
                campaign=c.idx,
                card=self.card[tp],
                status=tst,
                ts=tts,
                _dt=utc_to_day(tts),
                _avail=utc_to_day(tts),
                _lk=ids,
            )
            if c.channel == "TMALL":
                self.tmall_campaign_exposures = getattr(self, "tmall_campaign_exposures", [])
                self.tmall_campaign_exposures.append((c.idx, treated, sent_ts, treated[clicked], t3[clicked]))
            # coupons
            codes = np.full(nt, -1, np.int64)
            if c.template is not None:
                face, thr, valid, scope = c.template
                codes = self.ctr.take("coupon", nt)
                exp_ts = sent_ts + valid * DAY
                self.coupons.append((codes, treated, c.idx, sent_ts, exp_ts, scope, face, thr))
                ich = {"SMS": 2, "WECOM": 1, "MINIPROGRAM": 0, "TMALL": 3}[c.channel]
                self.sink.add(
                    "marketing.coupons_issued",
                    code=codes,
                    template=c.idx,
                    campaign=c.idx,
                    card=self.card[treated],
                    channel=ich,
                    ts=sent_ts,
                    exp_ts=exp_ts,
                    _dt=utc_to_day(sent_ts),
                    _avail=utc_to_day(sent_ts),
                    _lk=codes,
                )
            # planted lift: extra purchases by treated members in the window days after the touch
            if c.response_prob > 0 and nt:
                resp = rng.random(nt) < c.response_prob
                rp = treated[resp]
                day = utc_to_day(sent_ts[resp]) + rng.integers(0, c.window_days, size=resp.sum())
                scope = c.template[3] if c.template else "ALL"
                ch = np.full(len(rp), CH_POS, np.int8)
                if scope != "OFFLINE":
                    online_pref = self.seg[rp] == SEG_ONLINE
                    ch = np.where(
                        online_pref,
                        np.where(self.has_mp[rp], CH_MP, np.where(self.has_tmall[rp], CH_TMALL, CH_JD)),
                        ch,
                    )
                keep = day <= D_END
                inc_p.append(rp[keep])
                inc_day.append(day[keep])
                inc_ch.append(ch[keep])
                inc_camp.append(np.full(keep.sum(), c.idx))
                inc_coupon.append(codes[resp][keep])
                inc_sent.append(sent_ts[resp][keep])
        cat = lambda xs, dt_: np.concatenate(xs).astype(dt_) if xs else np.zeros(0, dt_)  # noqa: E731
        self.inc = (
            cat(inc_p, np.int64),
            cat(inc_day, np.int64),
            cat(inc_ch, np.int8),
            cat(inc_camp, np.int64),
            cat(inc_coupon, np.int64),
            cat(inc_sent, np.int64),
        )

    # ------------------------------------------------------------------------------------------------
    def purchases(self) -> None:
        """All purchases (base + campaign-induced) with time, store, lines, amounts and coupons."""
        rng, r = self.rng, self.r
        st = self.w.stores
        ip, iday, ich, icamp, icoupon, isent = self.inc
        person = np.concatenate([self.bp_person, ip])
        ch = np.concatenate([self.bp_channel, ich])
        day = np.concatenate([self.bp_day, iday])
        camp = np.concatenate([np.full(len(self.bp_person), -1), icamp])
        coupon = np.concatenate([np.full(len(self.bp_person), -1), icoupon])
        m = len(person)
        is_store = (ch == CH_POS) | (ch == CH_O2O)
        secs = np.where(is_store, sample_secs(rng, m, STORE_HOURS), sample_secs(rng, m, ONLINE_HOURS))
        ts = local_to_utc(day, secs)
        # a campaign-induced purchase comes after the touch (10 minutes to 3 hours later on the touch day)
        sent = np.concatenate([np.full(len(self.bp_person), -1), isent])
        early = (sent >= 0) & (ts < sent + 600)
        ts = np.where(early, sent + rng.integers(600, 3 * 3600, size=m), ts)
        day = np.where(early, utc_to_day(ts), day)
        # store
        home = self.home[person]
        u = rng.random(m)
        store = np.where(u < 0.85, home, np.where(u < 0.95, st.fallback[home], rng.integers(0, st.n, size=m)))
        bad = ~st.is_open(store, day)
        store = np.where(bad, st.fallback[home], store)
        bad = ~st.is_open(store, day)
        store = np.where(bad, home, store)
        store = np.where(ch == CH_O2O, home, store)
        # delivery-app orders before the home store enabled O2O were store visits
        ch = np.where(
            (ch == CH_O2O) & ((st.o2o_from_day[home] < 0) | (st.o2o_from_day[home] > day)), CH_POS, ch
        )
        order = np.lexsort((ts, person))
        self.pu = dict(
            person=person[order],
            ch=ch[order],
            day=day[order],
            ts=ts[order],
            camp=camp[order],
            coupon=coupon[order],
            store=store[order],
        )
        pu = self.pu
        # lines
        online = ~((pu["ch"] == CH_POS) | (pu["ch"] == CH_O2O))
        n_lines = 1 + rng.poisson(np.where(online, 0.8, 1.5))
        n_lines = np.minimum(n_lines, 12)
        li_p = np.repeat(np.arange(m), n_lines)
        li_no = group_rank(li_p) + 1
        mixes = np.array([CAT_MIX[b[0]] for b in BANNERS] + [CAT_MIX["ONLINE"]])
        mixes = mixes / mixes.sum(axis=1, keepdims=True)
        mix_idx = np.where(online, len(BANNERS), st.banner[pu["store"]])[li_p]
        cdf = np.cumsum(mixes, axis=1)
        cat = (rng.random(len(li_p))[:, None] > cdf[mix_idx]).sum(axis=1)
        cat = np.minimum(cat, len(CATEGORIES) - 1)
        sku = np.searchsorted(self.w.sku_popularity, rng.random(len(li_p)))
        sku = np.minimum(sku, SKUS_PER_CATEGORY - 1)
        price = self.w.sku_price_fen[cat, sku]
        qty = 1 + rng.poisson(np.where(price < 3000, 0.6, 0.1))
        gross_line = qty * price
        gross = np.bincount(li_p, weights=gross_line, minlength=m).astype(np.int64)
        # promotional discount on some purchases (5-15 %)
        promo = rng.random(m) < np.where(online, 0.45, 0.25)
        disc = np.where(promo, (gross * rng.uniform(0.05, 0.15, size=m)).astype(np.int64), 0)
        # base purchases that use a coupon issued before: the shopper adds one item worth the face value
        # so that net sales are the same as without the coupon (coupons on base purchases create no lift)
        extra_line = np.zeros(m, np.int64)
        for codes, holders, _cidx, its, ets, scope, face, thr in self.coupons:
            if len(codes) == 0:
                continue
            use = rng.random(len(codes)) < r.coupon_base_redeem_share
            key = pu["person"] * 10**10 + pu["ts"] // 1
            q = holders * 10**10 + its
            j = np.searchsorted(key, q)
            j = np.minimum(j, m - 1)
            ok = use & (pu["person"][j] == holders) & (pu["ts"][j] <= ets) & (pu["ts"][j] >= its)
            ok &= (pu["coupon"][j] < 0) & (pu["camp"][j] < 0)
            chj = pu["ch"][j]
            if scope == "OFFLINE":
                ok &= chj == CH_POS
            elif scope == "ONLINE":
                ok &= (chj == CH_TMALL) | (chj == CH_JD) | (chj == CH_MP)
            else:
                ok &= chj != CH_O2O
            ok &= gross[j] + int(face * 100) >= int(
                thr * 100
            )  # the basket (with the extra item) meets the threshold
            jj, first = np.unique(j[ok], return_index=True)
            pu["coupon"][jj] = codes[ok][first]
            extra_line[jj] = int(face * 100)
        # campaign-induced purchases with a coupon: bring them to the threshold, then apply the face value
        face_of = np.zeros(m, np.int64)
        thr_of = np.zeros(m, np.int64)
        for codes, _holders, _cidx, _its, _ets, _scope, face, thr in self.coupons:
            if len(codes) == 0:
                continue
            has = np.isin(pu["coupon"], codes)
            face_of[has] = int(face * 100)
            thr_of[has] = int(thr * 100)
        induced = (pu["camp"] >= 0) & (pu["coupon"] >= 0)
        short = np.where(induced, np.maximum(thr_of - gross, 0), 0)
        extra_line = np.where(induced, short, extra_line)
        has_extra = extra_line > 0
        # extra line rows appended at the end of the purchase
        ex = np.where(has_extra)[0]
        ex_cat = rng.integers(0, len(CATEGORIES), size=len(ex))
        li_p = np.concatenate([li_p, ex])
        li_no = np.concatenate([li_no, n_lines[ex] + 1])
        cat = np.concatenate([cat, ex_cat])
        sku = np.concatenate([sku, rng.integers(0, SKUS_PER_CATEGORY, size=len(ex))])
        qty = np.concatenate([qty, np.ones(len(ex), np.int64)])
        price = np.concatenate([price, extra_line[ex]])
        gross_line = np.concatenate([gross_line, extra_line[ex]])
        gross = gross + extra_line
        n_lines = n_lines + has_extra
        coupon_disc = np.where(pu["coupon"] >= 0, face_of, 0)
        # a coupon's face value comes on top of any promotion: with the extra item of the same value, a base
        # purchase keeps exactly the net amount it had without the coupon
        disc = disc + coupon_disc
        net = gross - disc
        o = np.lexsort((li_no, li_p))
        li_p, li_no, cat, sku, qty, price, gross_line = (
            a[o] for a in (li_p, li_no, cat, sku, qty, price, gross_line)
        )
        # allocate the purchase discount over its lines (remainder on the first line)
        share = np.floor(gross_line * (net[li_p] / np.maximum(gross[li_p], 1))).astype(np.int64)
        rem = net - np.bincount(li_p, weights=share, minlength=m).astype(np.int64)
        firsts = np.r_[0, np.cumsum(n_lines)[:-1]]
        share[firsts] += rem
        pu.update(gross=gross, disc=disc, net=net, n_lines=n_lines)
        self.li = dict(p=li_p, no=li_no, cat=cat, sku=sku, qty=qty, price=price, net=share)

    # ------------------------------------------------------------------------------------------------
    def keyed_phone_for(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        ph = self.phone[person]
        changed = (self.change_day[person] >= 0) & (day >= self.change_day[person])
        return np.where(changed, self.new_phone[person], ph)

    def recycle_phones(self, member: np.ndarray, quiet_days: int = 400) -> None:
        """Identity realism: the carrier re-issues the number of a lapsed member to a newcomer.

        The old owner is a member whose activity ended at least `quiet_days` before the newcomer starts; the
        newcomer (no card, not in a family) keys, binds or authorises that number from then on.
        """
        rng, n = self.rng, self.n
        plain = ~self.in_family & ~self.is_staff & ~self.is_test & (self.change_day < 0)
        old = np.where(plain & member & (self.end < D_END - quiet_days))[0]
        new = np.where(plain & ~member & (self.start > D0 + quiet_days))[0]
        k = min(int(round(self.r.recycled_phone_share * n)), len(new), len(old))
        if k == 0:
            return
        new = rng.choice(new, size=k, replace=False)
        old = old[np.argsort(self.end[old], kind="stable")]
        eligible = np.searchsorted(self.end[old], self.start[new] - quiet_days, side="left")
        pick = (rng.random(k) * eligible).astype(np.int64)
        ok = eligible > 0
        new, chosen = new[ok], old[np.minimum(pick[ok], len(old) - 1)]
        chosen, first = np.unique(chosen, return_index=True)
        new = new[first]
        self.phone[new] = self.phone[chosen]
        self.recycled_from[new] = self.gid[chosen]

    def second_identities(self, member: np.ndarray) -> None:
        """Identity realism: one person, two cards or two buyer accounts (never a conflict to quarantine).

        Re-issued card: a lost card is cancelled and a new card number issued the same day; later swipes carry
        the new card. Duplicate enrolment: the person enrols again (same name, birthday and phone) and swipes
        either card from then on. Re-bound buyer: a bound platform buyer unbinds and binds the membership
        again from a new buyer account (same phone), which places the later orders. Own random stream, so the
        other realism items stay as they were.
        """
        r, n = self.r, self.n
        rng = np.random.default_rng([self.seed, 2, self.chunk])
        old_owner = np.isin(self.gid, self.recycled_from[self.recycled_from >= 0])
        plain = ~self.in_family & ~self.is_staff & ~self.is_test & (self.change_day < 0)
        plain &= (self.recycled_from < 0) & ~old_owner
        lo = np.maximum(self.enrol_day, D0) + 30
        cancelled = np.where(self.cancel_day >= 0, self.cancel_day, D_END)
        hi = np.minimum(np.minimum(self.end, D_END), cancelled) - 30
        u = rng.random(n)
        day = lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64)
        ok = member & plain & (hi > lo)
        reissue = ok & (u < r.reissued_card_share)
        dup = ok & ~reissue & (u < r.reissued_card_share + r.duplicate_enrolment_share)
        second = reissue | dup
        self.card2 = np.where(second, card_number(self.gid + SECOND_ID_OFFSET, self.seed), -1)
        self.card2_day = np.where(second, day, -1)
        self.card2_kind = np.where(reissue, 1, np.where(dup, 2, 0)).astype(np.int8)
        self.card2_ts = local_to_utc(self.card2_day, rng.integers(10 * 3600, 21 * 3600, size=n))
        for plat in ("tmall", "jd"):
            bound = getattr(self, f"bind_{plat}")
            bts = getattr(self, f"bind_{plat}_ts")
            unb = getattr(self, f"unbind_{plat}_ts")
            blo = np.maximum(utc_to_day(np.maximum(bts, 0)), D0) + 30
            bhi = np.minimum(self.end, D_END) - 30
            pick = bound & plain & (unb < 0) & (bhi > blo) & (rng.random(n) < r.rebound_buyer_share)
            rday = blo + (rng.random(n) * np.maximum(bhi - blo, 1)).astype(np.int64)
            rts = local_to_utc(rday, sample_secs(rng, n, ONLINE_HOURS))
            setattr(self, f"unbind_{plat}_ts", np.where(pick, rts, unb))
            self.rebind_day[plat] = np.where(pick, rday, -1)
            setattr(self, f"rebind_{plat}_ts", np.where(pick, rts + rng.integers(600, 3 * DAY, size=n), -1))

    def _second_card_versions(self, gcode: np.ndarray, bday_kind: np.ndarray) -> None:
        """CRM versions of second cards: the lost card cancelled, the new or duplicate card enrolled."""
        p = np.where((self.card2 >= 0) & (self.card2_day <= D_END))[0]
        lost = p[self.card2_kind[p] == 1]
        ts = self.card2_ts[p]
        rows_p = np.concatenate([lost, p])
        rows_card = np.concatenate([self.card[lost], self.card2[p]])
        rows_upd = np.concatenate([self.card2_ts[lost], ts + 60])
        rows_status = np.concatenate([np.ones(len(lost), np.int8), np.zeros(len(p), np.int8)])
        rows_enrolled = np.concatenate([self.enrol_ts[lost], ts + 60])
        # a duplicate enrolment comes through the mini-program when the person has one, else at a till
        ech = np.where((self.card2_kind[p] == 2) & self.has_mp[p], 1, 0).astype(np.int8)
        rows_ech = np.concatenate([self.enrol_channel[lost], ech])
        day = utc_to_day(rows_upd)
        self.sink.add(
            "crm.members",
            card=rows_card,
            ctype=self.card_type[rows_p],
            phone=self.phone[rows_p],
            fmt=np.full(len(rows_p), PH_PLAIN, np.int8),
            person=self.gid[rows_p],
            gender=gcode[rows_p].astype(np.int8),
            bday=self.birth_day[rows_p],
            bkind=bday_kind[rows_p].astype(np.int8),
            city=self.city[rows_p],
            store=np.where(np.isin(rows_ech, [2, 3]), -1, self.home[rows_p]),
            ech=rows_ech,
            enrolled=rows_enrolled,
            tier=self.tier0[rows_p].astype(np.int8),
            status=rows_status,
            upd=rows_upd,
            _dt=np.maximum(day, D0),
            _avail=np.maximum(day, D0),
            _lk=rows_card,
        )

    def card_swiped(self, person, day, card, key) -> np.ndarray:
        """Card number on a ticket: the new card after a re-issue; either card after a second enrolment."""
        c2, d2, kind = self.card2[person], self.card2_day[person], self.card2_kind[person]
        later = (card >= 0) & (c2 >= 0) & (day >= d2)
        return np.where(later & ((kind == 1) | (key % 3 == 0)), c2, card)

    def current_card(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The card points are credited to: the new card after a re-issue, else the first card."""
        reissued = (self.card2_kind[person] == 1) & (day >= self.card2_day[person])
        return np.where(reissued, self.card2[person], self.card[person])

    def buyer_of(self, person: np.ndarray, plat: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Buyer account number of an order or event: the new account from a re-binding on."""
        rday = np.where(plat == 0, self.rebind_day["tmall"][person], self.rebind_day["jd"][person])
        gid = self.gid[person]
        return np.where((rday >= 0) & (day >= rday), gid + SECOND_ID_OFFSET, gid)

    def phone_formats(self, k: int) -> np.ndarray:
        p = np.array(list(self.r.phone_formats.values()), float)
        fmt = self.rng.choice(len(p), size=k, p=p / p.sum()).astype(np.int8)
        if self.r.identity_realism:
            fmt = damage_phone_formats(fmt, self.rng, self.r.spreadsheet_damage_share)
        return fmt

    def pos(self) -> None:
        rng, r = self.rng, self.r
        pu = self.pu
        sel = np.where(pu["ch"] == CH_POS)[0]
        k = len(sel)
        person = pu["person"][sel]
        day = pu["day"][sel]
        store = pu["store"][sel]
        ts = pu["ts"][sel]
        key = self.ctr.take("pos_ticket", k)
        pu["ref"] = np.full(len(pu["person"]), -1, np.int64)
        pu["ref"][sel] = key
        member_now = (self.card[person] >= 0) & (self.enrol_day[person] <= day)
        member_now &= (self.cancel_day[person] < 0) | (day < self.cancel_day[person])
        swipe = member_now & (
            (rng.random(k) < r.card_swipe_share) | self.is_staff[person] | self.is_test[person]
        )
        card = np.where(swipe, self.card[person], -1)
        if r.identity_realism:
            card = self.card_swiped(person, day, card, key)
        own_phone = np.where(
            swipe,
            rng.random(k) < r.member_phone_keyed_with_card,
            np.where(
                member_now,
                rng.random(k) < r.member_phone_keyed_no_card,
                rng.random(k) < r.nonmember_phone_keyed,
            ),
        )
        own_phone &= ~self.is_test[person]
        phone = np.where(own_phone, self.keyed_phone_for(person, day), -1)
        fmt = np.where(own_phone, self.phone_formats(k), -1).astype(np.int8)
        # placeholders keyed by cashiers when the customer gives nothing
        ph_kind = np.full(k, -1, np.int8)  # 0 = 13800000000, 1 = 13888888888, 2 = store phone
        place = (card < 0) & (phone < 0) & (rng.random(k) < r.placeholder_phone_keyed)
        ph_kind[place] = rng.choice(3, size=place.sum(), p=[0.4, 0.2, 0.4])
        if r.identity_realism:
            # 3 = the store's own made-up number (in no blocklist), keyed for every walk-in of a store-day
            ph_kind[(card < 0) & (phone < 0) & store_placeholder_days(store, day, r)] = 3
        # test accounts' 1-fen test tickets
        is_test = self.is_test[person]
        self._emit_pos(person, key, store, ts, card, phone, fmt, ph_kind, sel, is_test)

    def _emit_pos(self, person, key, store, ts, card, phone, fmt, ph_kind, sel, is_test) -> None:
        rng, r, st = self.rng, self.r, self.w.stores
        pu, li = self.pu, self.li
        k = len(key)
        till = 1 + (rng.random(k) * st.tills[store]).astype(np.int64)
        staff = self.w.staff
        cashier = pick_cashier(staff, st.n, store, utc_to_day(ts), rng)
        gross, disc, net = pu["gross"][sel], pu["disc"][sel], pu["net"][sel]
        lsel = np.isin(li["p"], sel)
        lp = li["p"][lsel]
        # map purchase index -> ticket key
        pos_of = np.full(len(pu["person"]), -1, np.int64)
        pos_of[sel] = np.arange(k)
        lt = pos_of[lp]
        l_no, l_cat, l_sku, l_qty, l_price, l_net = (
            li[c][lsel] for c in ("no", "cat", "sku", "qty", "price", "net")
        )
        if is_test.any():
            gross = np.where(is_test, 1, gross)
            disc = np.where(is_test, 0, disc)
            net = np.where(is_test, 1, net)
            tl = is_test[lt]
            l_qty = np.where(tl, 1, l_qty)
            l_price = np.where(tl, np.where(l_no == 1, 1, 0), l_price)
            l_net = np.where(tl, np.where(l_no == 1, 1, 0), l_net)
        pay = rng.choice(4, size=k, p=[0.08, 0.52, 0.32, 0.08])
        coupon = pu["coupon"][sel]
        # refunds: full or partial, same store, a few days later
        refund = (rng.random(k) < r.refund_share_pos) & (pu["camp"][sel] < 0) & ~is_test
        rf = np.where(refund)[0]
        r_ts = ts[rf] + rng.integers(3600, 14 * DAY, size=len(rf))
        r_ok = utc_to_day(r_ts) <= D_END
        rf, r_ts = rf[r_ok], r_ts[r_ok]
        full = rng.random(len(rf)) < 0.6
        rkey = self.ctr.take("pos_ticket", len(rf))
        # refund lines: every line of a full refund, the first line of a partial one
        lrf_mask = np.isin(lt, rf)
        pos_in_rf = np.full(k, -1, np.int64)
        pos_in_rf[rf] = np.arange(len(rf))
        lr = np.where(lrf_mask)[0]
        lr = lr[full[pos_in_rf[lt[lr]]] | (l_no[lr] == 1)]
        r_lines_t = pos_in_rf[lt[lr]]
        r_net = -np.bincount(r_lines_t, weights=l_net[lr], minlength=len(rf)).astype(np.int64)
        r_gross = -np.bincount(r_lines_t, weights=l_qty[lr] * l_price[lr], minlength=len(rf)).astype(np.int64)
        r_disc = r_gross - r_net  # the discount given back, negative like the amounts: gross - discount = net
        r_card = np.where(rng.random(len(rf)) < 0.7, card[rf], -1)
        # bad rows (kept rare): each kind on a few sales or refunds
        bad = np.full(k, -1, np.int8)
        cand = np.where((pu["camp"][sel] < 0) & ~refund & ~is_test)[0]
        # at least one of each kind per chunk, so that even the tiny scale exercises every quarantine rule
        nb = min(len(cand), max(4, rng.binomial(len(cand), r.bad_row_share * 4 / 5))) if len(cand) else 0
        pick = rng.choice(cand, size=nb, replace=False) if nb else np.zeros(0, np.int64)
        bad[pick] = np.arange(nb) % 4
        rbad = np.full(len(rf), -1, np.int8)
        nrb = min(len(rf), max(1, rng.binomial(len(rf), min(1.0, r.bad_row_share * 4)))) if len(rf) else 0
        rbad[rng.choice(len(rf), size=nrb, replace=False) if nrb else np.zeros(0, np.int64)] = 4
        self.sink.add(
            "pos.transactions",
            key=np.concatenate([key, rkey]),
            store=np.concatenate([store, store[rf]]),
            till=np.concatenate([till, till[rf]]),
            cashier=np.concatenate([cashier, cashier[rf]]),
            refund=np.concatenate([np.zeros(k, bool), np.ones(len(rf), bool)]),
            orig=np.concatenate([np.full(k, -1), key[rf]]),
            ts=np.concatenate([ts, r_ts]),
            card=np.concatenate([card, r_card]),
            phone=np.concatenate([phone, np.where(r_card >= 0, -1, phone[rf])]),
            fmt=np.concatenate([fmt, np.where(r_card >= 0, -1, fmt[rf])]).astype(np.int8),
            ph_kind=np.concatenate([ph_kind, np.where(r_card >= 0, -1, ph_kind[rf])]).astype(np.int8),
            gross=np.concatenate([gross, r_gross]),
            disc=np.concatenate([disc, r_disc]),
            net=np.concatenate([net, r_net]),
            coupon=np.concatenate([coupon, np.full(len(rf), -1)]),
            pay=np.concatenate([pay, pay[rf]]).astype(np.int8),
            bad=np.concatenate([bad, rbad]),
            _dt=utc_to_day(np.concatenate([ts, r_ts])),
            _avail=utc_to_day(np.concatenate([ts, r_ts])),
            _lk=np.concatenate([key, rkey]),
        )
        self.sink.add(
            "pos.transaction_lines",
            key=np.concatenate([key[lt], rkey[r_lines_t]]),
            line_no=np.concatenate([l_no, l_no[lr]]),
            cat=np.concatenate([l_cat, l_cat[lr]]),
            sku=np.concatenate([l_sku, l_sku[lr]]),
            qty=np.concatenate([l_qty, -l_qty[lr]]),
            price=np.concatenate([l_price, l_price[lr]]),
            net=np.concatenate([l_net, -l_net[lr]]),
            _dt=utc_to_day(np.concatenate([ts[lt], r_ts[r_lines_t]])),
            _avail=utc_to_day(np.concatenate([ts[lt], r_ts[r_lines_t]])),
            _lk=np.concatenate([key[lt], rkey[r_lines_t]]),
        )
        # coupon redemptions at the till
        cu = coupon >= 0
        self._redemptions(coupon[cu], 0, store[cu], key[cu], ts[cu] + 1)
        # truth
        linkable = (card >= 0) | ((phone >= 0) & ~phone_fmt_invalid(fmt))
        r_link = linkable[rf]
        self.truth.add(
            "records",
            kind=0,
            ref=np.concatenate([key, rkey]),
            person=np.concatenate([self.gid[person], self.gid[person[rf]]]),
            linkable=np.concatenate([linkable, r_link]),
            camp=np.concatenate([pu["camp"][sel], np.full(len(rf), -1)]),
            net=np.concatenate([net, r_net]),
            ts=np.concatenate([ts, r_ts]),
            bad=np.concatenate([bad, rbad]),
            sub=np.zeros(k + len(rf), np.int8),
            refund=np.concatenate([np.zeros(k, bool), np.ones(len(rf), bool)]),
        )
        # points: EARN per member sale, ADJUST on refunds
        earn = (card >= 0) & (bad < 0)
        self._ledger(
            card[earn],
            0,
            np.maximum(net[earn] // 100, 0),
            0,
            key[earn],
            ts[earn] + rng.integers(5, 300, size=earn.sum()),
        )
        adj = r_card >= 0
        self._ledger(r_card[adj], 3, np.minimum(r_net[adj] // 100, 0), 0, rkey[adj], r_ts[adj] + 60)
        self.pos_spend = (person[earn], ts[earn], net[earn])

    def _redemptions(self, code, channel, store, ref, ts) -> None:
        ids = self.ctr.take("redemption", len(code))
        self.sink.add(
            "marketing.coupon_redemptions",
            rid=ids,
            code=code,
            channel=channel,
            store=store,
            ref=ref,
            ts=ts,
            _dt=utc_to_day(ts),
            _avail=utc_to_day(ts),
            _lk=ids,
        )

    def _ledger(self, card, ctype, points, ref_kind, ref, ts) -> None:
        ok = utc_to_day(ts) <= D_END
        ids = self.ctr.take("ledger", ok.sum())
        self.sink.add(
            "crm.points_ledger",
            lid=ids,
            card=card[ok],
            ctype=ctype,
            points=np.asarray(points)[ok],
            ref_kind=ref_kind,
            ref=np.asarray(ref)[ok],
            ts=ts[ok],
            _dt=utc_to_day(ts[ok]),
            _avail=utc_to_day(ts[ok]),
            _lk=ids,
        )

    # ------------------------------------------------------------------------------------------------
    def ecommerce(self) -> None:
        rng, r = self.rng, self.r
        pu, li = self.pu, self.li
        sel = np.where((pu["ch"] == CH_TMALL) | (pu["ch"] == CH_JD))[0]
        k = len(sel)
        person = pu["person"][sel]
        plat = (pu["ch"][sel] == CH_JD).astype(np.int8)  # 0 TMALL 1 JD
        created = pu["ts"][sel]
        ono = self.ctr.take("ecom_order", k)
        pu["ref"][sel] = ono
        banner = self.w.stores.banner[self.home[person]]
        shop = plat * 2 + np.where(banner == 0, 0, np.where(banner == 1, 1, rng.integers(0, 2, size=k)))
        unpaid = rng.random(k) < r.ecom_unpaid_share
        paid_ts = np.where(unpaid, -1, created + rng.integers(10, 900, size=k))
        ship_ts = created + rng.integers(6 * 3600, 2 * DAY, size=k)
        done_ts = ship_ts + rng.integers(2 * DAY, 8 * DAY, size=k)
        refund = ~unpaid & (rng.random(k) < r.ecom_refund_share) & (pu["camp"][sel] < 0)
        full = refund & (rng.random(k) < 0.55)
        ref_ts = done_ts + rng.integers(3600, 10 * DAY, size=k)
        gross_y, disc_y, net_y = pu["gross"][sel], pu["disc"][sel], pu["net"][sel]
        # partial refund: the first line
        lsel = np.isin(li["p"], sel)
        pos_of = np.full(len(pu["person"]), -1, np.int64)
        pos_of[sel] = np.arange(k)
        lt = pos_of[li["p"][lsel]]
        l_no, l_cat, l_sku, l_qty, l_price, l_net = (
            li[c][lsel] for c in ("no", "cat", "sku", "qty", "price", "net")
        )
        first_line_net = np.zeros(k, np.int64)
        f = l_no == 1
        first_line_net[lt[f]] = l_net[f]
        refund_fen = np.where(full, net_y, np.where(refund, np.minimum(first_line_net, net_y), 0))
        l_ref = np.where(
            full[lt] | (refund[lt] & (l_no == 1)),
            np.where(full[lt], l_net, np.minimum(l_net, refund_fen[lt])),
            0,
        )
        coupon = pu["coupon"][sel]
        recv_city = np.where(rng.random(k) < 0.9, self.city[person], rng.integers(0, 32, size=k))
        masked_null = rng.random(k) < r.masked_phone_null_share
        phone_now = self.keyed_phone_for(person, pu["day"][sel])
        # versions: CLOSED (unpaid) | PAID, SHIPPED, COMPLETED, [REFUNDED or COMPLETED with partial refund]
        v_idx, v_status, v_upd, v_refund, v_done = [], [], [], [], []
        un = np.where(unpaid)[0]
        v_idx.append(un)
        v_status.append(np.full(len(un), 4))
        v_upd.append(created[un] + 1800)
        v_refund.append(np.zeros(len(un), np.int64))
        v_done.append(np.full(len(un), -1))
        pd = np.where(~unpaid)[0]
        for stt, upd, done in ((0, paid_ts, -1), (1, ship_ts, -1), (2, done_ts, 1)):
            v_idx.append(pd)
            v_status.append(np.full(len(pd), stt))
            v_upd.append(upd[pd])
            v_refund.append(np.zeros(len(pd), np.int64))
            v_done.append(done_ts[pd] if done == 1 else np.full(len(pd), -1))
        rf = np.where(refund)[0]
        v_idx.append(rf)
        v_status.append(np.where(full[rf], 3, 2))
        v_upd.append(ref_ts[rf])
        v_refund.append(refund_fen[rf])
        v_done.append(done_ts[rf])
        vi = np.concatenate(v_idx)
        vs = np.concatenate(v_status).astype(np.int8)
        vu = np.concatenate(v_upd)
        keep = utc_to_day(vu) <= D_END
        vi, vs, vu = vi[keep], vs[keep], vu[keep]
        vr = np.concatenate(v_refund)[keep]
        vd = np.concatenate(v_done)[keep]
        o = np.lexsort((vu, vi))
        vi, vs, vu, vr, vd = vi[o], vs[o], vu[o], vr[o], vd[o]
        cday = utc_to_day(created)
        buyer = self.buyer_of(person, plat, cday) if r.identity_realism else self.gid[person]
        self.sink.add(
            "ecommerce.orders",
            plat=plat[vi],
            ono=ono[vi],
            shop=shop[vi],
            buyer=buyer[vi],
            masked=np.where(masked_null[vi], -1, phone_now[vi]),
            status=vs,
            created=created[vi],
            paid=paid_ts[vi],
            completed=vd,
            total=gross_y[vi],
            disc=disc_y[vi],
            pay=np.where(unpaid[vi], 0, net_y[vi]),
            refund=vr,
            coupon=coupon[vi],
            city=recv_city[vi],
            upd=vu,
            _dt=cday[vi],
            _avail=utc_to_day(vu),
            _lk=ono[vi],
        )
        # lines: one version at creation, a second version for refunded lines at refund time
        lr = np.where((l_ref > 0) & (utc_to_day(ref_ts[lt]) <= D_END))[0]
        self.sink.add(
            "ecommerce.order_lines",
            plat=np.concatenate([plat[lt], plat[lt[lr]]]),
            ono=np.concatenate([ono[lt], ono[lt[lr]]]),
            line=np.concatenate([l_no, l_no[lr]]),
            cat=np.concatenate([l_cat, l_cat[lr]]),
            sku=np.concatenate([l_sku, l_sku[lr]]),
            qty=np.concatenate([l_qty, l_qty[lr]]),
            price=np.concatenate([l_price, l_price[lr]]),
            pay=np.concatenate([np.where(unpaid[lt], 0, l_net), np.where(unpaid[lt[lr]], 0, l_net[lr])]),
            refund=np.concatenate([np.zeros(len(lt), np.int64), l_ref[lr]]),
            _dt=np.concatenate([cday[lt], cday[lt[lr]]]),
            _avail=np.concatenate([cday[lt], utc_to_day(ref_ts[lt[lr]])]),
            _lk=np.concatenate([ono[lt], ono[lt[lr]]]),
        )
        cu = (coupon >= 0) & ~unpaid
        self._redemptions(
            coupon[cu], np.where(plat[cu] == 0, 2, 3), np.full(cu.sum(), -1), ono[cu], paid_ts[cu] + 1
        )
        bound = np.where(plat == 0, self.bind_tmall[person], self.bind_jd[person])
        self.truth.add(
            "records",
            kind=np.where(plat == 0, 1, 4),
            ref=ono,
            person=self.gid[person],
            linkable=bound,
            camp=pu["camp"][sel],
            net=np.where(unpaid, 0, net_y - refund_fen),
            ts=created,
            bad=np.full(k, -1, np.int8),
            sub=plat,
            refund=np.zeros(k, bool),
        )
        self.ecom_orders = (person, plat, created, sel)

    # ------------------------------------------------------------------------------------------------
    def miniprogram(self) -> None:
        rng, r, st = self.rng, self.r, self.w.stores
        pu, li = self.pu, self.li
        sel = np.where(pu["ch"] == CH_MP)[0]
        k = len(sel)
        person = pu["person"][sel]
        created = pu["ts"][sel]
        ono = self.ctr.mp_order + np.arange(k)
        self.ctr.mp_order += k
        pu["ref"][sel] = ono
        home = self.home[person]
        u = rng.random(k)
        o2o_ok = (
            (st.o2o_from_day[home] >= 0)
            & (st.o2o_from_day[home] <= pu["day"][sel])
            & st.is_open(home, pu["day"][sel])
        )
        ful = np.where(
            o2o_ok & (u < 0.4), 0, np.where((u < 0.7) & st.is_open(home, pu["day"][sel]), 1, 2)
        ).astype(np.int8)
        store = np.where(ful == 2, -1, home)
        cancel = (rng.random(k) < r.mp_cancel_share) & (pu["camp"][sel] < 0)
        paid = np.where(cancel, -1, created + rng.integers(5, 300, size=k))
        done = np.where(
            ful == 2,
            created + rng.integers(2 * DAY, 5 * DAY, size=k),
            created + rng.integers(1800, 4 * 3600, size=k),
        )
        refund = ~cancel & (rng.random(k) < r.mp_refund_share) & (pu["camp"][sel] < 0)
        full = refund & (rng.random(k) < 0.6)
        ref_ts = done + rng.integers(3600, 7 * DAY, size=k)
        gross, disc, net = pu["gross"][sel], pu["disc"][sel], pu["net"][sel]
        refund_fen = np.where(full, net, np.where(refund, net // 3, 0))
        coupon = pu["coupon"][sel]
        vi = np.concatenate([np.arange(k), np.where(~cancel)[0], np.where(refund)[0]])
        vs = np.concatenate(
            [np.where(cancel, 3, 0), np.ones((~cancel).sum()), np.where(full[refund], 2, 1)]
        ).astype(np.int8)
        vu = np.concatenate([np.where(cancel, created + 900, paid), done[~cancel], ref_ts[refund]])
        vr = np.concatenate([np.zeros(k, np.int64), np.zeros((~cancel).sum(), np.int64), refund_fen[refund]])
        keep = utc_to_day(vu) <= D_END
        vi, vs, vu, vr = vi[keep], vs[keep], vu[keep], vr[keep]
        o = np.lexsort((vu, vi))
        vi, vs, vu, vr = vi[o], vs[o], vu[o], vr[o]
        cday = utc_to_day(created)
        self.sink.add(
            "miniprogram.orders",
            ono=ono[vi],
            user=self.gid[person[vi]],
            store=store[vi],
            ful=ful[vi],
            status=vs,
            created=created[vi],
            paid=paid[vi],
            total=gross[vi],
            disc=disc[vi],
            paidf=np.where(cancel[vi], 0, net[vi]),
            refund=vr,
            coupon=coupon[vi],
            upd=vu,
            _dt=cday[vi],
            _avail=utc_to_day(vu),
            _lk=ono[vi],
        )
        lsel = np.isin(li["p"], sel)
        pos_of = np.full(len(pu["person"]), -1, np.int64)
        pos_of[sel] = np.arange(k)
        lt = pos_of[li["p"][lsel]]
        self.sink.add(
            "miniprogram.order_lines",
            ono=ono[lt],
            line=li["no"][lsel],
            sku=li["sku"][lsel],
            cat=li["cat"][lsel],
            qty=li["qty"][lsel],
            price=li["price"][lsel],
            paid=np.where(cancel[lt], 0, li["net"][lsel]),
            _dt=cday[lt],
            _avail=cday[lt],
            _lk=ono[lt],
        )
        cu = (coupon >= 0) & ~cancel
        self._redemptions(coupon[cu], 1, store[cu], ono[cu], paid[cu] + 1)
        # points for members who authorised their phone
        mem = (
            (self.card[person] >= 0)
            & (self.mp_auth_ts[person] >= 0)
            & (self.mp_auth_ts[person] <= created)
            & ~cancel
        )
        mem &= self.enrol_day[person] <= cday
        points_card = self.current_card(person, cday) if r.identity_realism else self.card[person]
        self._ledger(points_card[mem], 0, net[mem] // 100, 1, ono[mem], done[mem] + 60)
        self.mp_spend = (person[mem], done[mem], net[mem])
        linkable = (self.mp_auth_ts[person] >= 0) | self.mp_unionid[person]
        self.truth.add(
            "records",
            kind=2,
            ref=ono,
            person=self.gid[person],
            linkable=linkable,
            camp=pu["camp"][sel],
            net=np.where(cancel, 0, net - refund_fen),
            ts=created,
            bad=np.full(k, -1, np.int8),
            sub=np.zeros(k, np.int8),
            refund=np.zeros(k, bool),
        )
        # deliveries of DELIVERY orders
        dv = np.where(ful == 0)[0]
        self.mp_deliveries = (store[dv], ono[dv], net[dv], created[dv], cancel[dv], person[dv])

    # ------------------------------------------------------------------------------------------------
    def o2o(self) -> None:
        rng, r = self.rng, self.r
        pu = self.pu
        sel = np.where(pu["ch"] == CH_O2O)[0]
        person = pu["person"][sel]
        k = len(sel)
        pref = self.ctr.delivery + np.arange(k)
        src = np.where(rng.random(k) < 0.6, 1, 2).astype(np.int8)  # MEITUAN / ELEME
        m_store, m_ono, m_net, m_ts, m_cancel, m_person = self.mp_deliveries
        store = np.concatenate([m_store, pu["store"][sel]])
        source = np.concatenate([np.zeros(len(m_store), np.int8), src])
        src_no = np.concatenate([m_ono, pref])
        amount = np.concatenate([m_net, pu["net"][sel]])
        ordered = np.concatenate([m_ts, pu["ts"][sel]])
        cancelled = np.concatenate([m_cancel, rng.random(k) < r.o2o_cancel_share])
        n = len(store)
        dids = self.ctr.take("delivery", n)
        promised = ordered + rng.integers(30, 61, size=n) * 60
        late = rng.random(n) < r.o2o_late_share
        delivered = np.where(
            late,
            promised + rng.integers(1, 46, size=n) * 60,
            ordered + ((promised - ordered) * rng.uniform(0.5, 1.0, size=n)).astype(np.int64),
        )
        delivered = np.where(cancelled, -1, delivered)
        day = utc_to_day(ordered)
        self.sink.add(
            "o2o.delivery_orders",
            did=dids,
            store=store,
            source=source,
            src_no=src_no,
            amount=amount,
            ordered=ordered,
            promised=promised,
            delivered=delivered,
            cancelled=cancelled,
            _dt=day,
            _avail=np.where(cancelled, day, utc_to_day(np.maximum(delivered, ordered))),
            _lk=dids,
        )
        pu["ref"][sel] = pref
        self.truth.add(
            "records",
            kind=3,
            ref=pref,
            person=self.gid[person],
            linkable=np.zeros(k, bool),
            camp=pu["camp"][sel],
            net=np.where(cancelled[len(m_store) :], 0, pu["net"][sel]),
            ts=pu["ts"][sel],
            bad=np.full(k, -1, np.int8),
            sub=src,
            refund=np.zeros(k, bool),
        )
        self.truth.add("deliveries", did=dids, late=late & ~cancelled, cancelled=cancelled)

    # ------------------------------------------------------------------------------------------------
    def loyalty(self) -> None:
        """Tier upgrades from cumulative spend, the annual downgrade review, point redemptions, versions."""
        rng = self.rng
        n = self.n
        p = np.concatenate([self.pos_spend[0], self.mp_spend[0]])
        ts = np.concatenate([self.pos_spend[1], self.mp_spend[1]])
        amt = np.concatenate([self.pos_spend[2], self.mp_spend[2]])
        o = np.lexsort((ts, p))
        p, ts, amt = p[o], ts[o], amt[o]
        t0 = np.where(self.existing, rng.choice(4, size=n, p=[0.70, 0.20, 0.08, 0.02]), 0)
        t0[self.is_staff] = 1
        t0[self.is_test] = 0
        self.tier0 = t0
        cum = np.cumsum(amt)
        start = np.r_[True, p[1:] != p[:-1]]
        base = np.maximum.accumulate(np.where(start, cum - amt, 0))
        cum = cum - base
        thr = np.array([0, 300_000, 1_000_000, 3_000_000])  # fen: 3,000 / 10,000 / 30,000 yuan
        lvl = np.searchsorted(thr, cum, side="right") - 1
        tier = np.maximum(lvl, t0[p])
        prev = np.where(start, t0[p], np.r_[0, tier[:-1]])
        up = tier > prev
        ev_p, ev_from, ev_to, ev_ts, ev_reason = (
            [p[up]],
            [prev[up]],
            [tier[up]],
            [ts[up] + 600],
            [np.zeros(up.sum(), np.int8)],
        )
        # annual review on 2025-11-01: members whose last-12-month spend is under half their tier's bar
        # drop one tier
        review = D0 + 365
        rts = review * DAY - 8 * 3600 + 2 * 3600
        before = ts < rts
        last_tier = t0.copy()
        last_tier[p[before]] = tier[before]
        spend12 = np.bincount(p[before], weights=amt[before], minlength=n)
        mem = (self.card >= 0) & (self.card_type == 0) & (self.enrol_day < review - 30)
        down = mem & (last_tier > 0) & (spend12 < thr[last_tier] * 0.5)
        dp = np.where(down)[0]
        ev_p.append(dp)
        ev_from.append(last_tier[dp])
        ev_to.append(last_tier[dp] - 1)
        ev_ts.append(np.full(len(dp), rts) + rng.integers(0, 3600, size=len(dp)))
        ev_reason.append(np.ones(len(dp), np.int8))
        # a few manual adjustments by the service desk
        man = np.where(mem & (rng.random(n) < 0.003))[0]
        man_ts = local_to_utc(
            D0 + rng.integers(0, N_DAYS, size=len(man)), rng.integers(9 * 3600, 18 * 3600, size=len(man))
        )
        ev_p.append(man)
        ev_from.append(t0[man])
        ev_to.append(np.minimum(t0[man] + 1, 3))
        ev_ts.append(man_ts)
        ev_reason.append(np.full(len(man), 2, np.int8))
        ep = np.concatenate(ev_p)
        ets = np.concatenate(ev_ts)
        keep = utc_to_day(ets) <= D_END
        ep, ets = ep[keep], ets[keep]
        efrom = np.concatenate(ev_from)[keep]
        eto = np.concatenate(ev_to)[keep]
        ereason = np.concatenate(ev_reason)[keep]
        # keep events in time order per member and recompute each event's from-tier from the previous one
        o = np.lexsort((ets, ep))
        ep, ets, efrom, eto, ereason = ep[o], ets[o], efrom[o], eto[o], ereason[o]
        st = np.r_[True, ep[1:] != ep[:-1]] if len(ep) else np.zeros(0, bool)
        efrom = np.where(st, t0[ep], np.r_[0, eto[:-1]]) if len(ep) else efrom
        ok = eto != efrom
        ep, ets, efrom, eto, ereason = ep[ok], ets[ok], efrom[ok], eto[ok], ereason[ok]
        ereason = np.where((ereason == 1) & (eto > efrom), 0, ereason).astype(np.int8)
        ereason = np.where((ereason == 0) & (eto < efrom), 1, ereason).astype(np.int8)
        self.sink.add(
            "crm.tier_changes",
            card=self.card[ep],
            frm=efrom,
            to=eto,
            ts=ets,
            reason=ereason,
            _dt=utc_to_day(ets),
            _avail=utc_to_day(ets),
            _lk=self.card[ep],
        )
        self.tier_events = (ep, ets, eto)
        # point redemptions
        red = np.where(mem & (rng.random(n) < 0.15))[0]
        rts2 = local_to_utc(
            D0 + rng.integers(30, N_DAYS, size=len(red)), rng.integers(9 * 3600, 21 * 3600, size=len(red))
        )
        ok = (utc_to_day(rts2) >= self.enrol_day[red]) & (
            utc_to_day(rts2) <= np.minimum(self.end[red], D_END)
        )
        red, rts2 = red[ok], rts2[ok]
        self._ledger(
            self.card[red], 1, -rng.integers(1, 20, size=len(red)) * 100, -1, np.full(len(red), -1), rts2
        )
        # points expiry at the end of 2025 for some members
        ex = np.where(mem & (rng.random(n) < 0.10))[0]
        ets2 = np.full(len(ex), local_to_utc(np.array([D0 + 60 + 365]), np.array([86399]))[0])
        self._ledger(
            self.card[ex], 2, -rng.integers(1, 50, size=len(ex)) * 10, -1, np.full(len(ex), -1), ets2
        )

    # ------------------------------------------------------------------------------------------------
    def behaviour(self) -> None:
        """AIPL: browse events before some online purchases, browse-only sessions, campaign exposures."""
        rng, r = self.rng, self.r
        pu, li = self.pu, self.li
        browser = rng.random(self.n) < r.browser_share
        first_line = np.r_[0, np.cumsum(pu["n_lines"])[:-1]]
        sku_first = li["sku"][first_line] if len(first_line) else np.zeros(0, np.int64)
        cat_first = li["cat"][first_line] if len(first_line) else np.zeros(0, np.int64)
        # mini-program events (per openid) and platform events (per buyer id)
        for kind, chans in (("mp", (CH_MP,)), ("plat", (CH_TMALL, CH_JD))):
            sel = np.where(np.isin(pu["ch"], chans) & browser[pu["person"]])[0]
            k = len(sel)
            nv = 1 + rng.poisson(1.5, size=k)
            e = np.repeat(sel, nv)
            e_ts = np.repeat(pu["ts"][sel], nv) - rng.integers(60, 3 * DAY, size=len(e))
            e_type = np.where(rng.random(len(e)) < 0.2, 3, 0)  # search or view
            cart = sel[rng.random(k) < 0.6]
            fav = sel[rng.random(k) < 0.15]
            e = np.concatenate([e, cart, fav])
            e_ts = np.concatenate(
                [
                    e_ts,
                    pu["ts"][cart] - rng.integers(30, 3600, size=len(cart)),
                    pu["ts"][fav] - rng.integers(30, DAY, size=len(fav)),
                ]
            )
            e_type = np.concatenate([e_type, np.ones(len(cart)), np.full(len(fav), 2)]).astype(np.int8)
            person = pu["person"][e]
            plat = np.where(pu["ch"][e] == CH_JD, 1, 0).astype(np.int8)
            e_cat, e_sku = cat_first[e], sku_first[e]
            # browse-only sessions
            if kind == "mp":
                has = self.has_mp
            else:
                has = self.has_tmall | self.has_jd
            lo = np.clip(self.start - D0, 0, N_DAYS - 1)
            hi = np.clip(np.minimum(self.end, D_END) - D0, 0, N_DAYS - 1)
            act = has & (hi >= lo) & (self.end >= D0)
            ns = rng.poisson(np.where(act, r.browse_sessions_per_year * (hi - lo + 1) / 365.25, 0))
            bp = np.repeat(np.arange(self.n), ns)
            bd = D0 + sample_days(rng, lo[bp], hi[bp], self.cw_online)
            bts = local_to_utc(bd, sample_secs(rng, len(bp), ONLINE_HOURS))
            nb = 1 + rng.poisson(1.0, size=len(bp))
            bp2 = np.repeat(bp, nb)
            bts2 = np.repeat(bts, nb) + group_rank(np.repeat(np.arange(len(bp)), nb)) * rng.integers(
                10, 120, size=len(bp2)
            )
            b_type = np.where(
                rng.random(len(bp2)) < 0.15, 3, np.where(rng.random(len(bp2)) < 0.1, 1, 0)
            ).astype(np.int8)
            b_plat = np.where(self.has_tmall[bp2], 0, 1).astype(np.int8)
            b_cat = rng.integers(0, len(CATEGORIES), size=len(bp2))
            b_sku = np.searchsorted(self.w.sku_popularity, rng.random(len(bp2)))
            person = np.concatenate([person, bp2])
            e_ts = np.concatenate([e_ts, bts2])
            e_type = np.concatenate([e_type, b_type])
            plat = np.concatenate([plat, b_plat])
            e_cat = np.concatenate([e_cat, b_cat])
            e_sku = np.concatenate([e_sku, np.minimum(b_sku, SKUS_PER_CATEGORY - 1)])
            camp = np.full(len(person), -1)
            if kind == "plat":
                # exposures of the platform's own ad traffic and of brand campaigns
                ne = rng.poisson(np.where(act, 4.0 * (hi - lo + 1) / 365.25, 0))
                xp = np.repeat(np.arange(self.n), ne)
                xd = D0 + sample_days(rng, lo[xp], hi[xp], self.cw_online)
                xts = local_to_utc(xd, sample_secs(rng, len(xp), ONLINE_HOURS))
                cps, cts, cc = [xp], [xts], [np.full(len(xp), -1)]
                ctypes = [np.full(len(xp), 4, np.int8)]
                for cidx, treated, sent_ts, clk, clk_ts in getattr(self, "tmall_campaign_exposures", []):
                    cps += [treated, clk]
                    cts += [sent_ts + rng.integers(0, 3 * DAY, size=len(treated)), clk_ts]
                    cc += [np.full(len(treated), cidx), np.full(len(clk), cidx)]
                    ctypes += [np.full(len(treated), 4, np.int8), np.full(len(clk), 5, np.int8)]
                xp = np.concatenate(cps)
                person = np.concatenate([person, xp])
                e_ts = np.concatenate([e_ts, np.concatenate(cts)])
                e_type = np.concatenate([e_type, np.concatenate(ctypes)])
                plat = np.concatenate([plat, np.where(self.has_tmall[xp], 0, 1).astype(np.int8)])
                e_cat = np.concatenate([e_cat, np.zeros(len(xp), np.int64)])
                e_sku = np.concatenate([e_sku, np.zeros(len(xp), np.int64)])
                camp = np.concatenate([camp, np.concatenate(cc)])
                ok = np.where(plat == 0, self.has_tmall[person], self.has_jd[person])
            else:
                ok = self.has_mp[person] & (self.mp_reg_ts[person] <= e_ts)
            day = utc_to_day(e_ts)
            ok &= (day >= D0) & (day <= D_END)
            person, e_ts, e_type, plat, e_cat, e_sku, camp = (
                a[ok] for a in (person, e_ts, e_type, plat, e_cat, e_sku, camp)
            )
            o = np.lexsort((e_ts, person))
            person, e_ts, e_type, plat, e_cat, e_sku, camp = (
                a[o] for a in (person, e_ts, e_type, plat, e_cat, e_sku, camp)
            )
            if kind == "mp":
                ids = self.ctr.take("mp_event", len(person))
                self.sink.add(
                    "miniprogram.events",
                    eid=ids,
                    user=self.gid[person],
                    etype=e_type,
                    cat=e_cat,
                    sku=e_sku,
                    ts=e_ts,
                    _dt=utc_to_day(e_ts),
                    _avail=utc_to_day(e_ts),
                    _lk=ids,
                )
            else:
                ids = self.ctr.take("platform_event", len(person))
                self.sink.add(
                    "behaviour.platform_events",
                    eid=ids,
                    plat=plat,
                    buyer=(
                        self.buyer_of(person, plat, utc_to_day(e_ts))
                        if self.r.identity_realism
                        else self.gid[person]
                    ),
                    etype=e_type,
                    cat=e_cat,
                    sku=e_sku,
                    camp=camp,
                    ts=e_ts,
                    _dt=utc_to_day(e_ts),
                    _avail=utc_to_day(e_ts),
                    _lk=ids,
                )

    # ------------------------------------------------------------------------------------------------
    def dimensions(self) -> None:
        """Versions of CRM members, mini-program users, platform bindings and WeCom contacts."""
        rng = self.rng
        n = self.n
        gid = self.gid
        m = np.where(self.card >= 0)[0]
        # CRM members: enrolment (or first extract), phone change, tier changes, cancellation
        first_upd = np.where(
            self.enrol_day[m] < D0,
            self.enrol_ts[m] + rng.integers(0, 300, size=len(m)) * DAY // 1,
            self.enrol_ts[m],
        )
        first_upd = np.where(
            (self.enrol_day[m] < D0) & (utc_to_day(first_upd) >= D0), self.enrol_ts[m] + 60, first_upd
        )
        vp = [m]
        vts = [first_upd]
        vkind = [np.zeros(len(m), np.int8)]
        ch = np.where(self.change_day[m] >= 0)[0]
        vp.append(m[ch])
        vts.append(local_to_utc(self.change_day[m[ch]], rng.integers(9 * 3600, 21 * 3600, size=len(ch))))
        vkind.append(np.ones(len(ch), np.int8))
        ep, ets, eto = self.tier_events
        vp.append(ep)
        vts.append(ets + 5)
        vkind.append(np.full(len(ep), 2, np.int8))
        cn = np.where(self.cancel_day[m] >= 0)[0]
        vp.append(m[cn])
        vts.append(local_to_utc(self.cancel_day[m[cn]], rng.integers(9 * 3600, 21 * 3600, size=len(cn))))
        vkind.append(np.full(len(cn), 3, np.int8))
        p = np.concatenate(vp)
        ts = np.concatenate(vts)
        kind = np.concatenate(vkind)
        o = np.lexsort((kind, ts, p))
        p, ts, kind = p[o], ts[o], kind[o]
        # state at each version
        phone = np.where(
            (self.change_day[p] >= 0) & (utc_to_day(ts) >= self.change_day[p]),
            self.new_phone[p],
            self.phone[p],
        )
        fmt = np.where(kind == 1, PH_PLAIN, self.crm_phone_fmt[p])
        tier = self.tier0[p].copy()
        if len(ep):
            key_e = ep * 10**11 + (ets + 5 - (D0 - 3000) * DAY)
            key_v = p * 10**11 + (ts - (D0 - 3000) * DAY)
            j = np.searchsorted(key_e, key_v, side="right") - 1
            okj = (j >= 0) & (ep[np.maximum(j, 0)] == p)
            tier = np.where(okj, eto[np.maximum(j, 0)], tier)
        status = ((self.cancel_day[p] >= 0) & (utc_to_day(ts) >= self.cancel_day[p])).astype(np.int8)
        day = utc_to_day(ts)
        keep = day <= D_END
        gender_code = rng.choice(
            6, size=n, p=[0.40, 0.35, 0.08, 0.07, 0.05, 0.05]
        )  # M/F/男/女/U/NULL as typed
        gcode = np.where(
            self.gender == 1,
            np.where(gender_code < 2, 0, np.where(gender_code < 4, 2, gender_code)),
            np.where(gender_code < 2, 1, np.where(gender_code < 4, 3, gender_code)),
        )
        bday_kind = rng.choice(
            5, size=n, p=[0.85, 0.05, 0.03, 0.05, 0.02]
        )  # ok, NULL, 0000-00-00, 1900-01-01, future
        sel = lambda a: a[keep]  # noqa: E731
        card, enrolled = self.card[p], self.enrol_ts[p]
        if self.r.identity_realism:
            # versions after a card was re-issued (tier changes, cancellation) are the new card's
            moved = (self.card2_kind[p] == 1) & (ts >= self.card2_ts[p])
            card = np.where(moved, self.card2[p], card)
            enrolled = np.where(moved, self.card2_ts[p] + 60, enrolled)
        self.sink.add(
            "crm.members",
            card=sel(card),
            ctype=sel(self.card_type[p]),
            phone=sel(phone),
            fmt=sel(fmt).astype(np.int8),
            person=sel(gid[p]),
            gender=sel(gcode[p]).astype(np.int8),
            bday=sel(self.birth_day[p]),
            bkind=sel(bday_kind[p]).astype(np.int8),
            city=sel(self.city[p]),
            store=sel(np.where(np.isin(self.enrol_channel[p], [2, 3]), -1, self.home[p])),
            ech=sel(self.enrol_channel[p]),
            enrolled=sel(enrolled),
            tier=sel(tier).astype(np.int8),
            status=sel(status),
            upd=sel(ts),
            _dt=sel(np.maximum(day, D0)),
            _avail=sel(np.maximum(day, D0)),
            _lk=sel(card),
        )
        if self.r.identity_realism:
            self._second_card_versions(gcode, bday_kind)
        self.truth.add("members_state", person=gid[m], card=self.card[m], tier0=self.tier0[m])
        # mini-program users: registration, later phone authorisation
        u = np.where(self.has_mp & (self.mp_reg_day <= D_END))[0]
        later = u[(self.mp_auth_ts[u] >= 0) & (utc_to_day(self.mp_auth_ts[u]) != self.mp_reg_day[u])]
        at_reg = (self.mp_auth_ts[u] >= 0) & (utc_to_day(self.mp_auth_ts[u]) == self.mp_reg_day[u])
        up = np.concatenate([u, later])
        upd = np.concatenate(
            [np.where(at_reg, self.mp_auth_ts[u], self.mp_reg_ts[u]), self.mp_auth_ts[later]]
        )
        has_phone = np.concatenate([at_reg, np.ones(len(later), bool)])
        ok = utc_to_day(upd) <= D_END
        up, upd, has_phone = up[ok], upd[ok], has_phone[ok]
        uph = self.keyed_phone_for(up, utc_to_day(upd))
        self.sink.add(
            "miniprogram.users",
            user=gid[up],
            unionid=self.mp_unionid[up],
            phone=np.where(has_phone, uph, -1),
            nick=(gid[up] * 7 + self.seed) % len(nm.NICKNAMES),
            reg=self.mp_reg_ts[up],
            auth=np.where(has_phone, self.mp_auth_ts[up], -1),
            upd=upd,
            _dt=np.maximum(utc_to_day(upd), D0),
            _avail=np.maximum(utc_to_day(upd), D0),
            _lk=gid[up],
        )
        # bindings
        for pi, plat in enumerate(("tmall", "jd")):
            b = np.where(getattr(self, f"bind_{plat}"))[0]
            bts = getattr(self, f"bind_{plat}_ts")[b]
            uts = getattr(self, f"unbind_{plat}_ts")[b]
            b2 = b[uts >= 0]
            bp = np.concatenate([b, b2])
            upd = np.concatenate([bts, uts[uts >= 0]])
            unb = np.concatenate([np.full(len(b), -1), uts[uts >= 0]])
            bound = np.concatenate([bts, bts[uts >= 0]])
            ok = utc_to_day(upd) <= D_END
            bp, upd, unb, bound = bp[ok], upd[ok], unb[ok], bound[ok]
            buyer = gid[bp]
            if self.r.identity_realism:
                # re-bound buyers: the new account's binding, never unbound (same phone)
                rb = np.where(self.rebind_day[plat] >= 0)[0]
                rts = getattr(self, f"rebind_{plat}_ts")[rb]
                ok = utc_to_day(rts) <= D_END
                rb, rts = rb[ok], rts[ok]
                bp = np.concatenate([bp, rb])
                buyer = np.concatenate([buyer, gid[rb] + SECOND_ID_OFFSET])
                bound = np.concatenate([bound, rts])
                unb = np.concatenate([unb, np.full(len(rb), -1)])
                upd = np.concatenate([upd, rts])
            self.sink.add(
                "ecommerce.membership_bindings",
                plat=pi,
                buyer=buyer,
                phone=self.keyed_phone_for(bp, utc_to_day(bound)),
                bound=bound,
                unbound=unb,
                upd=upd,
                _dt=np.maximum(utc_to_day(upd), D0),
                _avail=np.maximum(utc_to_day(upd), D0),
                _lk=buyer,
            )
        # WeCom contacts: add (and delete) per (person, guide)
        cp, cg, cadd, cdel, cway = [], [], [], [], []
        w1 = np.where(self.wecom)[0]
        cp.append(w1)
        cg.append(self.guide[w1])
        cadd.append(self.wecom_add_ts[w1])
        cdel.append(self.wecom_del_ts[w1])
        cway.append(self.add_way[w1])
        w2 = np.where(self.wecom2)[0]
        cp.append(w2)
        cg.append(self.guide2[w2])
        cadd.append(self.wecom2_add_ts[w2])
        cdel.append(np.full(len(w2), -1))
        cway.append(self.add_way2[w2])
        cp, cg, cadd, cdel, cway = (np.concatenate(a) for a in (cp, cg, cadd, cdel, cway))
        vp = np.concatenate([np.arange(len(cp)), np.where(cdel >= 0)[0]])
        vupd = np.concatenate([cadd, cdel[cdel >= 0]])
        vdel = np.concatenate([np.full(len(cp), -1), cdel[cdel >= 0]])
        ok = utc_to_day(vupd) <= D_END
        vp, vupd, vdel = vp[ok], vupd[ok], vdel[ok]
        staff = self.w.staff
        self.sink.add(
            "wecom.external_contacts",
            person=gid[cp[vp]],
            unionid=self.wecom_unionid_shown[cp[vp]],
            staff=cg[vp],
            store=staff.store[cg[vp]],
            way=cway[vp].astype(np.int8),
            added=cadd[vp],
            deleted=vdel,
            upd=vupd,
            _dt=np.maximum(utc_to_day(vupd), D0),
            _avail=np.maximum(utc_to_day(vupd), D0),
            _lk=gid[cp[vp]],
        )
        # truth about people
        self.truth.add(
            "people",
            person=gid,
            seg=self.seg,
            gender=self.gender,
            birth=self.birth_day,
            surname=self.surname,
            g1=self.given1,
            g2=self.given2,
            city=self.city,
            home=self.home,
            lam=self.lam,
            churn_p=self.churn_p,
            start=self.start,
            churn=self.churn_day,
            is_staff=self.is_staff,
            is_test=self.is_test,
            card=self.card,
            ctype=self.card_type,
            enrol=self.enrol_day,
            acquired=self.acquired,
            phone=self.phone,
            new_phone=self.new_phone,
            recycled_from=self.recycled_from,
            change_day=self.change_day,
            family_head=gid[self.fam_head],
            in_family=self.in_family,
            has_mp=self.has_mp,
            mp_unionid=self.mp_unionid,
            mp_auth=self.mp_auth_ts >= 0,
            has_tmall=self.has_tmall,
            has_jd=self.has_jd,
            bind_tmall=self.bind_tmall,
            bind_jd=self.bind_jd,
            wecom=self.wecom,
            wecom_unionid=self.wecom_unionid_shown,
            existing=self.existing,
            cancel=self.cancel_day,
            crm_fmt=self.crm_phone_fmt,
            card2=self.card2,
            card2_kind=self.card2_kind,
            card2_day=self.card2_day,
            rebind_tmall=self.rebind_day["tmall"],
            rebind_jd=self.rebind_day["jd"],
        )

"""The fixed world every person lives in: stores, staff slots, e-commerce shops, products and campaigns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .config import D0, D_END, Scale, day_number

# city, tier, region, weight (rough population pull)
CITIES = [
    ("上海", "1", "east", 10),
    ("北京", "1", "north", 9),
    ("广州", "1", "south", 8),
    ("深圳", "1", "south", 8),
    ("杭州", "new1", "east", 6),
    ("成都", "new1", "west", 6),
    ("武汉", "new1", "central", 5),
    ("南京", "new1", "east", 5),
    ("重庆", "new1", "west", 5),
    ("西安", "new1", "west", 4),
    ("苏州", "new1", "east", 4),
    ("长沙", "new1", "central", 4),
    ("天津", "new1", "north", 4),
    ("郑州", "new1", "central", 3),
    ("青岛", "new1", "north", 3),
    ("合肥", "2", "east", 3),
    ("宁波", "2", "east", 3),
    ("厦门", "2", "south", 2),
    ("福州", "2", "south", 2),
    ("济南", "2", "north", 2),
    ("昆明", "2", "west", 2),
    ("南昌", "2", "central", 2),
    ("无锡", "2", "east", 2),
    ("温州", "2", "east", 2),
    ("洛阳", "3", "central", 1),
    ("绍兴", "3", "east", 1),
    ("桂林", "3", "south", 1),
    ("绵阳", "3", "west", 1),
    ("赣州", "3", "central", 1),
    ("潍坊", "4", "north", 1),
    ("曲靖", "4", "west", 1),
    ("衡阳", "4", "central", 1),
]
AREA_CODES = {
    "上海": "021",
    "北京": "010",
    "广州": "020",
    "深圳": "0755",
    "杭州": "0571",
    "成都": "028",
    "武汉": "027",
    "南京": "025",
    "重庆": "023",
    "西安": "029",
    "天津": "022",
}

BANNERS = [  # code, display name, share of stores, floor area range m2, tills, o2o share
    ("DS", "百联购物中心", 0.15, (12000, 40000), (8, 16), 0.2),
    ("HM", "联华大卖场", 0.25, (6000, 15000), (12, 24), 0.8),
    ("SM", "联华超市", 0.40, (800, 3000), (3, 8), 0.7),
    ("CV", "快客便利", 0.20, (60, 200), (1, 2), 0.5),
]
BANNER_CODES = [b[0] for b in BANNERS]

CATEGORIES = [
    "FRESH",
    "GROCERY",
    "DAIRY",
    "BEVERAGE",
    "BEAUTY",
    "APPAREL",
    "HOME",
    "ELECTRONICS",
    "BABY",
    "SNACKS",
]
# mean unit price (fen) per category and category mix per banner / online
CAT_PRICE_FEN = np.array([2500, 1800, 1500, 1200, 16000, 22000, 9000, 68000, 12000, 1500])
CAT_MIX = {
    "DS": [0.02, 0.04, 0.03, 0.06, 0.28, 0.30, 0.12, 0.08, 0.05, 0.02],
    "HM": [0.22, 0.22, 0.10, 0.12, 0.04, 0.04, 0.08, 0.04, 0.06, 0.08],
    "SM": [0.28, 0.24, 0.12, 0.13, 0.02, 0.01, 0.04, 0.00, 0.04, 0.12],
    "CV": [0.08, 0.20, 0.14, 0.33, 0.01, 0.00, 0.02, 0.00, 0.00, 0.22],
    "ONLINE": [0.03, 0.12, 0.08, 0.08, 0.20, 0.15, 0.12, 0.10, 0.08, 0.04],
}
SKUS_PER_CATEGORY = 400

# e-commerce flagship shops: (platform, shop_id, banner_code)
SHOPS = [
    ("TMALL", "TM-DS-001", "DS"),
    ("TMALL", "TM-HM-001", "HM"),
    ("JD", "JD-DS-001", "DS"),
    ("JD", "JD-HM-001", "HM"),
]

GENERIC_PLACEHOLDER_PHONES = [13800000000, 13888888888]


def store_placeholder_phone(store) -> np.ndarray:
    """The made-up number a store's cashiers key for walk-ins (identity realism): in no blocklist."""
    return 13966600000 + np.asarray(store, np.int64) * 7 + 3


@dataclass
class Stores:
    n: int
    store_id: list[str]
    name: list[str]
    banner: np.ndarray  # index into BANNERS
    city: np.ndarray  # index into CITIES
    floor_area: np.ndarray
    opened_day: np.ndarray
    closed_day: np.ndarray  # -1 if open
    listed_day: np.ndarray  # first day the store appears in the master extract
    o2o: np.ndarray  # bool, from the first listing
    o2o_from_day: np.ndarray  # day O2O was enabled (a few stores enable it inside the period)
    tills: np.ndarray
    phone: np.ndarray  # int64 11-digit mobile
    fallback: np.ndarray  # another always-open store of the same city/region
    area_change_day: np.ndarray  # -1 or day the floor area was remeasured (a new master version)
    new_floor_area: np.ndarray
    sched_minutes: np.ndarray

    def is_open(self, store: np.ndarray, day: np.ndarray) -> np.ndarray:
        op = self.opened_day[store] <= day
        cl = (self.closed_day[store] < 0) | (day < self.closed_day[store])
        return op & cl


def build_stores(scale: Scale, rng: np.random.Generator) -> Stores:
    n = scale.stores
    banner = rng.choice(len(BANNERS), size=n, p=[b[2] for b in BANNERS])
    banner[:4] = [0, 1, 2, 3]  # every banner exists at every scale
    w = np.array([c[3] for c in CITIES], float)
    ncity = min(len(CITIES), max(8, n // 3))
    city = rng.choice(ncity, size=n, p=w[:ncity] / w[:ncity].sum())
    city[:4] = [0, 4, 15, 24]  # tiers 1, new1, 2, 3 at every scale
    area = np.array([rng.integers(*BANNERS[b][3]) for b in banner])
    area = (area // 10) * 10
    tills = np.array([rng.integers(BANNERS[b][4][0], BANNERS[b][4][1] + 1) for b in banner])
    opened = D0 - rng.integers(200, 6000, size=n)
    # a few stores open inside the period (at least one at every scale)
    n_new = max(1, n // 15)
    new_idx = np.arange(n - n_new, n)
    opened[new_idx] = D0 + rng.integers(60, 600, size=n_new)
    opened[new_idx[0]] = D0 + int(rng.integers(45, 120))  # one opens early, inside every test window
    listed = np.where(opened > D0, opened - 30, D0)
    closed = np.full(n, -1)
    if n >= 8:
        closed[n - n_new - 1] = D0 + int(rng.integers(300, 600))
    o2o = rng.random(n) < np.array([BANNERS[b][5] for b in banner])
    o2o_from = np.where(o2o, np.minimum(opened, D0), -1)
    # one store switches O2O on inside the period
    late_o2o = np.where(~o2o & (opened < D0))[0]
    if len(late_o2o):
        s = late_o2o[0]
        o2o_from[s] = D0 + 200
    names = []
    for i in range(n):
        cname = CITIES[city[i]][0]
        suffix = [
            "中心店",
            "旗舰店",
            "万达店",
            "人民路店",
            "新城店",
            "火车站店",
            "大学城店",
            "滨江店",
            "高新店",
        ][i % 9]
        names.append(f"{BANNERS[banner[i]][1]}{cname}{suffix}{'' if i < 9 else str(i // 9 + 1)}")
    store_id = [f"S{i + 1:04d}" for i in range(n)]
    # store phones: mobiles in a range reserved for stores (person phones never fall there)
    phone = 13900000000 + 7_000_000 + np.arange(n) * 37 + 11
    always_open = (opened <= D0) & (closed < 0)
    fallback = np.zeros(n, dtype=np.int64)
    for i in range(n):
        same = np.where(always_open & (city == city[i]) & (np.arange(n) != i))[0]
        if len(same) == 0:
            same = np.where(always_open & (np.arange(n) != i))[0]
        fallback[i] = same[0] if len(same) else i
    area_change = np.full(n, -1)
    new_area = area.copy()
    k = max(1, n // 10)
    area_change[:k] = D0 + rng.integers(100, 650, size=k)
    new_area[:k] = (area[:k] * rng.uniform(0.85, 1.15, size=k)).astype(int) // 10 * 10
    sched = np.where(np.isin(banner, [3]), 960, 780) + rng.integers(0, 4, size=n) * 30
    return Stores(
        n,
        store_id,
        names,
        banner,
        city,
        area,
        opened,
        closed,
        listed,
        o2o,
        o2o_from,
        tills,
        phone,
        fallback,
        area_change,
        new_area,
        sched,
    )


@dataclass
class Staff:
    n: int
    store: np.ndarray
    role: np.ndarray  # 0 GUIDE, 1 MANAGER, 2 CASHIER
    joined_day: np.ndarray
    left_day: np.ndarray  # -1 while employed


ROLES = ["GUIDE", "MANAGER", "CASHIER"]


def pick_cashier(staff: Staff, n_stores: int, store: np.ndarray, day: np.ndarray, rng) -> np.ndarray:
    """A cashier of the store employed on that day (random among them), else the store manager."""
    cashiers = np.where(staff.role == 2)[0]
    c_store = staff.store[cashiers]
    first = np.searchsorted(c_store, np.arange(n_stores))
    cnt = np.bincount(c_store, minlength=n_stores)[store]
    managers = np.where(staff.role == 1)[0]
    out = managers[np.searchsorted(staff.store[managers], store)]
    done = np.zeros(len(store), bool)
    offset = (rng.random(len(store)) * np.maximum(cnt, 1)).astype(np.int64)
    for k in range(int(cnt.max(initial=0))):
        cand = cashiers[np.minimum(first[store] + (offset + k) % np.maximum(cnt, 1), len(cashiers) - 1)]
        ok = ~done & (k < cnt) & (staff.joined_day[cand] <= day)
        ok &= (staff.left_day[cand] < 0) | (day < staff.left_day[cand])
        out = np.where(ok, cand, out)
        done |= ok
    return out


def build_staff(stores: Stores, rng: np.random.Generator) -> Staff:
    store, role = [], []
    for s in range(stores.n):
        b = stores.banner[s]
        n_guides = {0: 4, 1: 3, 2: 2, 3: 0}[b]
        n_cash = {0: 3, 1: 4, 2: 3, 3: 2}[b]
        for r, k in ((1, 1), (0, n_guides), (2, n_cash)):
            store += [s] * k
            role += [r] * k
    store = np.array(store)
    role = np.array(role)
    n = len(store)
    joined = np.maximum(np.minimum(stores.opened_day[store], D0), D0 - 2500) - rng.integers(30, 1500, size=n)
    joined = np.where(
        stores.opened_day[store] > D0, stores.opened_day[store] - rng.integers(5, 40, size=n), joined
    )
    left = np.full(n, -1)
    leavers = (rng.random(n) < 0.10) & (role != 1)
    left[leavers] = D0 + rng.integers(30, 700, size=leavers.sum())
    return Staff(n, store, role, joined, left)


@dataclass
class Campaign:
    idx: int
    campaign_id: str
    name: str
    ctype: str
    channel: str
    banner: str | None
    start_day: int
    end_day: int
    cost: float
    rule: str
    rule_kind: str  # active365, lapsed90, all_members, acquisition
    holdout_rate: float
    audience_share: float  # of eligible members
    response_prob: float  # planted: probability a treated member makes an extra purchase in the window
    window_days: int
    template: tuple | None  # (face_value, threshold, valid_days, scope)


def build_campaigns() -> list[Campaign]:
    spec = [
        # start, type, channel, banner, name, rule, holdout, share, response, coupon
        (
            "2024-11-03",
            "PROMOTION",
            "SMS",
            None,
            "双11会员专享券",
            "active365",
            0.15,
            0.45,
            0.18,
            (30.0, 199.0, 14, "ALL"),
        ),
        (
            "2024-11-25",
            "REACTIVATION",
            "WECOM",
            None,
            "导购唤醒沉睡会员",
            "lapsed90",
            0.20,
            0.8,
            0.0,
            (20.0, 100.0, 14, "OFFLINE"),
        ),
        (
            "2025-01-08",
            "HOLIDAY",
            "SMS",
            None,
            "春节年货节",
            "active365",
            0.10,
            0.40,
            0.0,
            (50.0, 299.0, 21, "ALL"),
        ),
        ("2025-02-20", "PROMOTION", "TMALL", None, "天猫春季会员日", "bound_tmall", 0.10, 0.7, 0.0, None),
        (
            "2025-03-05",
            "PROMOTION",
            "WECOM",
            "DS",
            "三八女神节美妆专场",
            "active365",
            0.15,
            0.9,
            0.0,
            (40.0, 300.0, 7, "OFFLINE"),
        ),
        (
            "2025-04-15",
            "ACQUISITION",
            "MINIPROGRAM",
            None,
            "小程序开卡有礼",
            "acquisition",
            0.0,
            1.0,
            0.0,
            (10.0, 59.0, 30, "ALL"),
        ),
        ("2025-05-26", "PROMOTION", "TMALL", None, "天猫618会员日", "bound_tmall", 0.10, 0.7, 0.0, None),
        (
            "2025-06-05",
            "PROMOTION",
            "SMS",
            None,
            "618门店狂欢",
            "active365",
            0.15,
            0.45,
            0.12,
            (30.0, 199.0, 14, "OFFLINE"),
        ),
        (
            "2025-07-15",
            "REACTIVATION",
            "SMS",
            None,
            "夏季回归礼",
            "lapsed90",
            0.20,
            0.6,
            0.0,
            (20.0, 99.0, 14, "ALL"),
        ),
        (
            "2025-08-20",
            "PROMOTION",
            "MINIPROGRAM",
            None,
            "开学季小程序专享",
            "active365",
            0.10,
            0.5,
            0.0,
            (15.0, 99.0, 10, "ONLINE"),
        ),
        (
            "2025-09-22",
            "HOLIDAY",
            "WECOM",
            None,
            "国庆黄金周导购邀约",
            "active365",
            0.15,
            0.8,
            0.0,
            (30.0, 199.0, 14, "OFFLINE"),
        ),
        (
            "2025-10-25",
            "PROMOTION",
            "SMS",
            None,
            "双11预热",
            "active365",
            0.15,
            0.45,
            0.0,
            (50.0, 399.0, 17, "ALL"),
        ),
        ("2025-11-03", "PROMOTION", "TMALL", None, "天猫双11会员加购", "bound_tmall", 0.10, 0.7, 0.0, None),
        (
            "2025-12-10",
            "REACTIVATION",
            "WECOM",
            None,
            "年末会员关怀",
            "lapsed90",
            0.20,
            0.8,
            0.20,
            (25.0, 129.0, 14, "OFFLINE"),
        ),
        (
            "2026-01-26",
            "HOLIDAY",
            "SMS",
            None,
            "马年年货节",
            "active365",
            0.10,
            0.40,
            0.0,
            (50.0, 299.0, 21, "ALL"),
        ),
        (
            "2026-03-05",
            "PROMOTION",
            "WECOM",
            "DS",
            "女神节美妆专场",
            "active365",
            0.15,
            0.9,
            0.0,
            (40.0, 300.0, 7, "OFFLINE"),
        ),
        (
            "2026-04-20",
            "PROMOTION",
            "MINIPROGRAM",
            None,
            "小程序会员日",
            "active365",
            0.15,
            0.5,
            0.0,
            (15.0, 99.0, 10, "ONLINE"),
        ),
        (
            "2026-06-02",
            "PROMOTION",
            "SMS",
            None,
            "618全渠道",
            "active365",
            0.15,
            0.45,
            0.0,
            (30.0, 199.0, 14, "ALL"),
        ),
        (
            "2026-07-10",
            "REACTIVATION",
            "MINIPROGRAM",
            None,
            "夏日唤醒",
            "lapsed90",
            0.20,
            0.6,
            0.0,
            (20.0, 99.0, 14, "ALL"),
        ),
        (
            "2026-09-20",
            "HOLIDAY",
            "SMS",
            None,
            "国庆门店邀约",
            "active365",
            0.15,
            0.45,
            0.0,
            (30.0, 199.0, 14, "OFFLINE"),
        ),
    ]
    rule_text = {
        "active365": "会员，近365天有购买，且该渠道营销同意有效"
        " (members who purchased in the last 365 days, opted in)",
        "lapsed90": "会员，近90天无购买但更早有购买，且该渠道同意有效 (members lapsed 90+ days, opted in)",
        "acquisition": "活动期间通过小程序新开卡的顾客"
        " (customers enrolling through the mini-program in the window)",
        "bound_tmall": "天猫已绑定会员 (members bound on Tmall)",
    }
    out = []
    for i, (start, ctype, ch, banner, name, rule, hold, share, resp, tmpl) in enumerate(spec):
        s = day_number(dt.date.fromisoformat(start))
        length = 30 if rule == "acquisition" else (14 if ctype != "HOLIDAY" else 21)
        cost = {"SMS": 0.05, "WECOM": 0.0, "MINIPROGRAM": 0.0, "TMALL": 0.0}[ch]
        out.append(
            Campaign(
                i,
                f"C{i + 1:03d}",
                name,
                ctype,
                ch,
                banner,
                s,
                min(s + length - 1, D_END),
                cost,
                rule_text[rule],
                rule,
                hold,
                share,
                resp,
                7,
                tmpl,
            )
        )
    return out


@dataclass
class World:
    stores: Stores
    staff: Staff
    campaigns: list[Campaign]
    sku_price_fen: np.ndarray  # (n_categories, SKUS_PER_CATEGORY)
    sku_popularity: np.ndarray  # cumulative distribution over SKUs within a category


def build_world(scale: Scale, seed: int) -> World:
    rng = np.random.default_rng([seed, 0xC0FFEE])
    stores = build_stores(scale, rng)
    staff = build_staff(stores, rng)
    camps = build_campaigns()
    mult = rng.lognormal(0.0, 0.5, size=(len(CATEGORIES), SKUS_PER_CATEGORY))
    price = np.maximum(100, (CAT_PRICE_FEN[:, None] * mult / 10).round() * 10).astype(np.int64)
    pop = 1.0 / np.arange(1, SKUS_PER_CATEGORY + 1) ** 0.9
    return World(stores, staff, camps, price, np.cumsum(pop) / pop.sum())

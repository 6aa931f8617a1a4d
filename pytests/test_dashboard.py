"""The dashboard in headless Chromium (Debian's `chromium-headless-shell`, installed by
scripts/setup_browser.sh, which says why the shell and not the full browser): every page renders its Chinese
title and at least one chart drawn from the serving snapshot, and no request leaves localhost. Screenshots
go to dashboard_out/screenshots/ (OMNI_DASHBOARD_SCREENSHOTS).

Chromium is pointed at a recording proxy on 127.0.0.1 that also serves the site; with the bypass rule
`<-loopback>` even requests to localhost go through it, so the proxy sees every request the browser makes:
the test proves the proxy saw the page's own assets (the log is live) and nothing for any other host.
"""

from __future__ import annotations

import concurrent.futures
import functools
import html.parser
import http.server
import json
import math
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from snapshot_helpers import REPO, serving_snapshot, snapshot_rows  # noqa: F401  (fixture)

from omniwh.dashboard.build import build
from omniwh.dashboard.pages import PAGES, RFM_MIGRATIONS_SQL

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1600,1000",
    # JavaScript (ECharts draws synchronously, animation off) gets this much virtual time before the dump.
    "--virtual-time-budget=8000",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Values the first chart of each page draws with no filter set, counted from the snapshot independently of the
# page's queries and script: a chart fed by anything but the snapshot's rows fails this.
FIRST_CHART_POINTS = {
    # 会员占比 and 在线率 for every brand-level month
    "member_health": "select 2 * count(*) from marts.fct_member_kpis_monthly where scope_type = 'all'",
    # one bar per segment of the latest month
    "rfm": """
        select count(distinct rfm_segment_code) from marts.fct_member_rfm_monthly
        where snapshot_month = (select max(snapshot_month) from marts.fct_member_rfm_monthly)
    """,
    # one funnel layer per stage of the latest month
    "lifecycle": """
        select count(distinct lifecycle_stage_code) from marts.fct_member_lifecycle_monthly
        where snapshot_month = (select max(snapshot_month) from marts.fct_member_lifecycle_monthly)
    """,
    # member sales and active members for every brand-level month
    "cvm": """
        select 2 * count(*) from marts.fct_cvm_monthly where dimension_name = 'all' and member_type = 'all'
    """,
    # attributed and incremental ROI per campaign
    "campaigns": "select 2 * count(*) from marts.fct_campaign_performance",
    # S/A/B/C counts for every month with store rows
    "stores": "select 4 * count(distinct month_start_date) from marts.fct_store_performance_monthly",
}


def _chromium() -> str:
    found = shutil.which("chromium-headless-shell")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium-headless-shell missing: `make test` runs scripts/setup_browser.sh (as root)")
    pytest.skip("chromium-headless-shell not installed (scripts/setup_browser.sh installs it as root)")


class _Gateway(http.server.SimpleHTTPRequestHandler):
    """Serves the site to requests for itself; records and refuses every other request (proxied or not)."""

    def log_message(self, *args):  # quiet
        pass

    def _local_path(self) -> str | None:
        parts = urlsplit(self.path)
        if parts.hostname:  # proxied: absolute URL
            host, port = parts.hostname, parts.port or 80
        else:
            host, _, port = (self.headers.get("Host") or "").partition(":")
            port = int(port or 80)
        self.server.requests.append((self.command, host, port, parts.path))
        if host in LOCAL_HOSTS and port == self.server.server_port:
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return None

    def do_GET(self):
        path = self._local_path()
        if path is None:
            self.send_error(403, "outside localhost")
            return
        self.path = path
        super().do_GET()

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self._local_path()
        self.send_error(403)

    def do_CONNECT(self):
        host, _, port = self.path.partition(":")
        self.server.requests.append(("CONNECT", host, int(port or 443), ""))
        self.send_error(403, "outside localhost")


@pytest.fixture(scope="module")
def site(serving_snapshot, scratch_root):  # noqa: F811
    out = scratch_root / "dashboard_site"
    pages = build(serving_snapshot, out)
    assert len(pages) == len(PAGES)
    return out


@pytest.fixture(scope="module")
def gateway(site):
    handler = functools.partial(_Gateway, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    out = Path(os.environ.get("OMNI_DASHBOARD_SCREENSHOTS", REPO / "dashboard_out" / "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _run_chromium(gateway, *args: str) -> str:
    port = gateway.server_port
    with tempfile.TemporaryDirectory(prefix="omniwh-chromium-") as profile:
        cmd = [
            _chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--proxy-server=http://127.0.0.1:{port}",
            "--proxy-bypass-list=<-loopback>",
            *args,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"chromium failed: {done.stderr[-3000:]}"
    return done.stdout


class _Dom(html.parser.HTMLParser):
    """Title text, chart boxes (their data-points), KPI cards and the body's ready flag of a dumped DOM."""

    def __init__(self):
        super().__init__()
        self.title, self.charts, self.cards, self.ready = "", [], {}, False
        self.values = []  # per chart box: the first series' values (JSON in data-values), None when empty
        self._in_title, self._kpi, self._in_value = False, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "body" and attrs.get("data-ready") == "1":
            self.ready = True
        if attrs.get("id") == "page-title":
            self._in_title = True
        if "chart" in classes:
            self.charts.append((int(attrs.get("data-points") or 0), attrs.get("data-rendered") == "1"))
            self.values.append(json.loads(attrs["data-values"]) if attrs.get("data-values") else None)
        if "card" in classes and attrs.get("data-kpi"):
            self._kpi = attrs["data-kpi"]
        if self._kpi and "value" in classes:
            self._in_value = True

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_title = False
        if tag == "div" and self._in_value:
            self._in_value, self._kpi = False, None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_value:
            self.cards[self._kpi] = self.cards.get(self._kpi, "") + data


@pytest.mark.parametrize("page", PAGES, ids=[page.slug for page in PAGES])
def test_page_renders_offline(page, gateway, screenshots, serving_snapshot):  # noqa: F811
    start = len(gateway.requests)
    url = f"http://127.0.0.1:{gateway.server_port}/{page.slug}.html"
    dom = _Dom()
    dom.feed(_run_chromium(gateway, "--dump-dom", url))
    shot = screenshots / f"{page.slug}.png"
    shot.unlink(missing_ok=True)
    _run_chromium(gateway, f"--screenshot={shot}", url)
    requests = gateway.requests[start:]

    assert dom.ready, "the page's script did not finish (body lacks data-ready)"
    assert dom.title.strip() == page.title
    drawn = [points for points, rendered in dom.charts if rendered and points > 0]
    assert drawn, f"no chart with data on {page.slug}: {dom.charts}"
    expected = snapshot_rows(serving_snapshot, FIRST_CHART_POINTS[page.slug])[0][0]
    assert expected > 0, f"the snapshot has no data for {page.slug}"
    assert dom.charts[0] == (expected, True), (page.slug, dom.charts, expected)
    assert shot.is_file() and shot.stat().st_size > 20_000, "screenshot missing or blank"

    outside = [r for r in requests if r[1] not in LOCAL_HOSTS or r[2] != gateway.server_port]
    assert not outside, f"requests left localhost: {outside}"
    seen = {r[3] for r in requests}
    assert {f"/{page.slug}.html", "/assets/echarts.min.js", "/assets/dashboard.js"} <= seen, seen


def test_health_page_shows_snapshot_kpis(gateway, serving_snapshot):  # noqa: F811
    """The KPI cards carry the snapshot's numbers: brand-level 会员占比 and 在线率 of the latest month, and of
    a filtered banner (filters come from the URL)."""
    latest, banner = snapshot_rows(
        serving_snapshot,
        "select max(snapshot_month), min(scope_value) filter (where scope_type = 'banner')"
        " from marts.fct_member_kpis_monthly",
    )[0]
    for scope_type, scope_value, query in (("all", "ALL", ""), ("banner", banner, f"?banner={banner}")):
        share, online = snapshot_rows(
            serving_snapshot,
            "select member_order_share, online_reachable_rate from marts.fct_member_kpis_monthly"
            " where snapshot_month = ? and scope_type = ? and scope_value = ?",
            [latest, scope_type, scope_value],
        )[0]
        dom = _Dom()
        dom.feed(_run_chromium(gateway, "--dump-dom", f"http://127.0.0.1:{gateway.server_port}/member_health.html{query}"))
        expected = {"member_order_share": share, "online_reachable_rate": online}
        for kpi, value in expected.items():
            text = "—" if value is None else f"{value * 100:.1f}%"
            assert dom.cards.get(kpi) == text, (scope_value, kpi, dom.cards)


def test_banner_and_store_filters_narrow_the_data(gateway, serving_snapshot):  # noqa: F811
    """A banner on the store page and a store on the CVM page (set in the URL) show that slice's figures:
    the S-tier store count of the banner's latest month, the store's member sales of its latest month."""
    banner, store = snapshot_rows(
        serving_snapshot,
        "select min(banner_code), min(store_id) from marts.fct_store_performance_monthly",
    )[0]
    s_stores = snapshot_rows(
        serving_snapshot,
        "select count(*) filter (where tier_code = 'S') from marts.fct_store_performance_monthly"
        " where banner_code = ? and month_start_date ="
        " (select max(month_start_date) from marts.fct_store_performance_monthly where banner_code = ?)",
        [banner, banner],
    )[0][0]
    sales = snapshot_rows(
        serving_snapshot,
        "select net_sales_amount from marts.fct_cvm_monthly"
        " where dimension_name = 'store' and dimension_value = ? and member_type = 'all'"
        " order by snapshot_month desc limit 1",
        [store],
    )[0][0]
    cases = [
        (f"stores.html?banner={banner}", "tier_S", f"{s_stores:,}"),
        (f"cvm.html?store={store}", "member_net_sales", f"¥{sales:,.2f}"),
    ]
    for path, kpi, expected in cases:
        dom = _Dom()
        dom.feed(_run_chromium(gateway, "--dump-dom", f"http://127.0.0.1:{gateway.server_port}/{path}"))
        assert dom.cards.get(kpi) == expected, (path, dom.cards, expected)


def _doms(gateway, paths: list[str]) -> dict[str, _Dom]:
    """The pages at `paths` (filters in the query string), rendered by a few browsers at once (each mostly
    waits for its virtual time budget); no request may leave localhost."""
    start = len(gateway.requests)
    base = f"http://127.0.0.1:{gateway.server_port}/"
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        dumps = list(pool.map(lambda path: _run_chromium(gateway, "--dump-dom", base + path), paths))
    doms = {}
    for path, dump in zip(paths, dumps, strict=True):
        doms[path] = _Dom()
        doms[path].feed(dump)
        assert doms[path].ready, f"{path}: the page's script did not finish"
    outside = [r for r in gateway.requests[start:] if r[1] not in LOCAL_HOSTS or r[2] != gateway.server_port]
    assert not outside, f"requests left localhost: {outside}"
    return doms


def _same(drawn, expected) -> bool:
    return len(drawn) == len(expected) and all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(drawn, expected, strict=True)
    )


# Member slices, counted here from the marts on their own: a member belongs to the home banner / store of the
# month in fct_member_home_units_monthly.
SLICE_SQL = {
    "rfm": """
        select rfm.rfm_segment_code, count(*)
        from marts.fct_member_rfm_monthly as rfm
        inner join marts.fct_member_home_units_monthly as home using (member_id, snapshot_month)
        where strftime(rfm.snapshot_month, '%Y-%m') = ? and {unit} = ?
        group by 1 order by 1
    """,
    "lifecycle": """
        select lifecycle.lifecycle_stage_code, count(*)
        from marts.fct_member_lifecycle_monthly as lifecycle
        inner join marts.fct_member_home_units_monthly as home using (member_id, snapshot_month)
        where strftime(lifecycle.snapshot_month, '%Y-%m') = ? and {unit} = ?
        group by 1
    """,
    "journeys": """
        select journeys.milestone_day,
            avg(case when journeys.has_repurchased_by_milestone then 1.0 else 0 end)
        from marts.fct_member_journey_milestones as journeys
        inner join marts.fct_member_home_units_monthly as home
            on journeys.member_id = home.member_id
                and date_trunc('month', journeys.first_purchase_date) = home.snapshot_month
        where {unit} = ?
        group by 1 order by 1
    """,
}


def test_member_pages_follow_banner_and_store_filters(gateway, serving_snapshot):  # noqa: F811
    """RFM and lifecycle pages set to a banner or a store (and a month) in the URL draw that slice's member
    counts, as separate SQL on the snapshot counts them, and they differ from the brand's; the journeys follow
    the store too. 客单价 of a store and month on the health page is its purchases' net sales per purchase;
    the campaign page counts the campaigns of a start month and banner; the CVM and store pages follow an
    older month with a banner and a store."""
    month, banner, store = snapshot_rows(
        serving_snapshot,
        "select strftime(max(snapshot_month), '%Y-%m'),"
        " mode(home_banner_code) filter (where home_banner_code is not null),"
        " mode(home_store_id) filter (where home_store_id is not null)"
        " from marts.fct_member_home_units_monthly",
    )[0]
    units = {"banner": ("home.home_banner_code", banner), "store": ("home.home_store_id", store)}

    def counts(page: str, scope: str) -> dict:
        unit, value = units[scope]
        return dict(snapshot_rows(serving_snapshot, SLICE_SQL[page].format(unit=unit), [month, value]))

    brand = dict(snapshot_rows(
        serving_snapshot,
        "select rfm_segment_code, count(*) from marts.fct_member_rfm_monthly"
        " where strftime(snapshot_month, '%Y-%m') = ? group by 1",
        [month],
    ))
    rfm = counts("rfm", "banner")
    assert rfm and rfm != brand, "the banner slice must differ from the brand for this test to mean anything"
    stages = counts("lifecycle", "store")
    brand_known = snapshot_rows(
        serving_snapshot,
        "select count(*) from marts.fct_member_lifecycle_monthly where strftime(snapshot_month, '%Y-%m') = ?",
        [month],
    )[0][0]
    assert stages and sum(stages.values()) != brand_known
    unit, value = units["store"]
    journeys = snapshot_rows(serving_snapshot, SLICE_SQL["journeys"].format(unit=unit), [value])
    assert journeys, f"no journeys for store {store}"
    # 客单价 on the health page: the busiest store of the latest complete month, against the orders themselves
    kpi_month, kpi_store, atv = snapshot_rows(
        serving_snapshot,
        "select strftime(date_trunc('month', business_date), '%Y-%m') as m, store_id,"
        " sum(net_sales_amount) / count(*) from marts.fct_orders"
        " where net_sales_amount > 0 and store_id is not null and date_trunc('month', business_date) ="
        " (select max(snapshot_month) from marts.fct_member_kpis_monthly where is_complete_month)"
        " group by all order by count(*) desc, store_id limit 1",
    )[0]
    # campaigns: a start month and a banner (campaigns for every banner count in each banner)
    campaign_month, campaign_banner, campaigns = snapshot_rows(
        serving_snapshot,
        "select strftime(months.start_month, '%Y-%m'), banners.banner_code, count(*)"
        " from (select distinct date_trunc('month', start_date) as start_month"
        "       from marts.fct_campaign_performance) as months"
        " cross join (select distinct banner_code from marts.dim_stores) as banners"
        " inner join marts.fct_campaign_performance as campaigns"
        "   on date_trunc('month', campaigns.start_date) = months.start_month"
        "   and coalesce(campaigns.banner_code, banners.banner_code) = banners.banner_code"
        " group by all order by 3 desc, 1, 2 limit 1",
    )[0]
    everything = snapshot_rows(serving_snapshot, "select count(*) from marts.fct_campaign_performance")[0][0]
    assert campaigns < everything
    # the month filter on the CVM page (with a banner) and on the store page (with a store): an older month
    cvm_month, cvm_banner, sales = snapshot_rows(
        serving_snapshot,
        "select strftime(snapshot_month, '%Y-%m'), dimension_value, net_sales_amount"
        " from marts.fct_cvm_monthly"
        " where dimension_name = 'banner' and member_type = 'all' and is_complete_month"
        " order by snapshot_month, net_sales_amount desc limit 1",
    )[0]
    tier_month, tier_store, tier = snapshot_rows(
        serving_snapshot,
        "select strftime(month_start_date, '%Y-%m'), store_id, tier_code"
        " from marts.fct_store_performance_monthly where tier_code is not null"
        " order by month_start_date, store_id limit 1",
    )[0]

    paths = {
        "rfm": f"rfm.html?month={month}&banner={banner}",
        "lifecycle": f"lifecycle.html?store={store}",
        "health_brand": f"member_health.html?month={kpi_month}",
        "health_store": f"member_health.html?month={kpi_month}&store={kpi_store}",
        "campaigns": f"campaigns.html?month={campaign_month}&banner={campaign_banner}",
        "cvm": f"cvm.html?month={cvm_month}&banner={cvm_banner}",
        "stores": f"stores.html?month={tier_month}&store={tier_store}",
    }
    rendered = _doms(gateway, list(paths.values()))
    doms = {name: rendered[path] for name, path in paths.items()}

    dom = doms["rfm"]
    assert dom.cards.get("scored_members") == f"{sum(rfm.values()):,}", (dom.cards, rfm)
    assert dom.values[0] == [rfm[code] for code in sorted(rfm)], (dom.values[0], rfm)
    dom = doms["lifecycle"]
    assert dom.cards.get("known_members") == f"{sum(stages.values()):,}", (dom.cards, stages)
    assert sorted(dom.values[0]) == sorted(stages.values()), (dom.values[0], stages)
    assert _same(dom.values[1], [float(share) for _, share in journeys]), (dom.values[1], journeys)
    shown = doms["health_store"].cards
    assert shown.get("average_transaction_value") == f"¥{atv:,.2f}", (shown, atv)
    assert shown["average_transaction_value"] != doms["health_brand"].cards.get("average_transaction_value")
    shown = doms["campaigns"].cards
    assert shown.get("campaign_count") == f"{campaigns:,}", (shown, campaigns)
    shown = doms["cvm"].cards
    assert shown.get("member_net_sales") == f"¥{sales:,.2f}", (shown, sales)
    shown = doms["stores"].cards
    assert {kpi: shown.get(f"tier_{kpi}") for kpi in "SABC"} == {kpi: str(int(kpi == tier)) for kpi in "SABC"}


def test_rfm_migrations_by_unit_add_up_to_the_mart(serving_snapshot):  # noqa: F811
    """The RFM page's migration counts per home unit (no browser): brand-wide they are exactly the non-zero
    cells of fct_rfm_migrations_monthly, and the banners' cells add up to at most the brand's."""
    con_sql = f"select m, st, sv, f, t, n from ({RFM_MIGRATIONS_SQL}) as dashboard"
    rows = snapshot_rows(serving_snapshot, con_sql)
    brand = {(m, f, t): n for m, st, _, f, t, n in rows if st == "all"}
    mart = {
        (m, f, t): n
        for m, f, t, n in snapshot_rows(
            serving_snapshot,
            "select strftime(snapshot_month, '%Y-%m'), from_segment_code, to_segment_code, member_count"
            " from marts.fct_rfm_migrations_monthly where member_count > 0",
        )
    }
    assert mart and brand == mart
    banners: dict = {}
    for m, st, _, f, t, n in rows:
        if st == "banner":
            banners[(m, f, t)] = banners.get((m, f, t), 0) + n
    assert banners and all(n <= brand[key] for key, n in banners.items())

"""Generate the dashboard from the serving snapshot, and serve it on localhost.

    python -m omniwh.dashboard build [--serving PATH] [--out DIR]
    python -m omniwh.dashboard serve [--serving PATH] [--out DIR] [--port 8050]

`build` opens the snapshot read-only, runs each page's queries (pages.py) and writes one self-contained HTML
page per topic with its data embedded as JSON, plus the assets: ECharts (installed from npm by
scripts/fetch_echarts.sh, never fetched from a CDN), the pages' script and style sheet. Nothing on a page
refers to another host. `serve` builds, then serves the folder on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import functools
import http.server
import json
import math
import shutil
import sys
from pathlib import Path

import duckdb
import jinja2

from omniwh.dashboard.pages import FILTER_QUERIES, PAGES, Page
from omniwh.serving import serving_path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
STATIC = HERE / "static"
ECHARTS = STATIC / "vendor" / "echarts.min.js"
DEFAULT_OUT = "dashboard_out/site"


class DashboardError(RuntimeError):
    """The dashboard cannot be built (no snapshot, no ECharts bundle)."""


def _plain(value):
    """JSON-ready value: decimals and dates as numbers and ISO text, NaN/inf as null."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, (_plain(v) for v in row), strict=True)) for row in cursor.fetchall()]


def _table(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    """A query's result, compact: {"columns": [...], "values": {column: [distinct texts]}, "rows": [[...]]}.

    The member pages carry one row per month, unit and segment (segment migrations: per pair of segments), so
    a text column holds an index into its list of distinct values instead of the text, and no row repeats the
    column names; dashboard.js turns the rows back into objects.
    """
    cursor = con.execute(sql)
    columns = [column[0] for column in cursor.description]
    rows = [[_plain(v) for v in row] for row in cursor.fetchall()]
    values = {}
    for i, column in enumerate(columns):
        texts = {row[i] for row in rows} - {None}
        if texts and all(isinstance(text, str) for text in texts):
            values[column] = sorted(texts)
            index = {text: n for n, text in enumerate(values[column])}
            for row in rows:
                row[i] = None if row[i] is None else index[row[i]]
    return {"columns": columns, "values": values, "rows": rows}


def read_snapshot(serving: Path) -> tuple[dict, dict[str, dict], dict]:
    """(filter choices, per page slug its data, snapshot info) from the snapshot, opened read-only."""
    if not serving.is_file():
        raise DashboardError(
            f"serving snapshot {serving} not found: run `make build` (it publishes the snapshot) or set "
            "OMNI_SERVING_PATH"
        )
    con = duckdb.connect(str(serving), read_only=True)
    try:
        filters = {name: _rows(con, sql) for name, sql in FILTER_QUERIES.items()}
        data = {page.slug: {name: _table(con, sql) for name, sql in page.queries.items()} for page in PAGES}
        try:
            info = _rows(con, "select * from serving_meta.snapshot_info")[0]
        except (duckdb.Error, IndexError):
            info = {}
    finally:
        con.close()
    return filters, data, info


def stage_order() -> dict[str, int]:
    """Display order of the lifecycle stages (seed metric_lifecycle_stages): the funnel runs in it."""
    seed = REPO / "seeds" / "metrics" / "metric_lifecycle_stages.csv"
    if not seed.is_file():
        return {}
    with seed.open(encoding="utf-8", newline="") as handle:
        return {row["stage_code"]: int(row["display_order"]) for row in csv.DictReader(handle)}


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def _json_for_script(value) -> str:
    # Inside <script type="application/json">: `</` must not close the element early.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def build(serving: Path, out: Path) -> list[Path]:
    """Write the site into `out` (replaced); return the page files written."""
    if not ECHARTS.is_file():
        raise DashboardError(f"{ECHARTS} missing: run `make env` (scripts/fetch_echarts.sh installs it)")
    filters, data, info = read_snapshot(serving)
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    shutil.copyfile(ECHARTS, out / "assets" / "echarts.min.js")
    for name in ("dashboard.js", "dashboard.css"):
        shutil.copyfile(STATIC / name, out / "assets" / name)
    env = _environment()
    nav = [(page.slug, page.title) for page in PAGES]
    written = []
    for page in PAGES:
        payload = {
            "slug": page.slug,
            "filters": list(page.filters),
            "choices": filters,
            "stage_order": stage_order(),
            "data": data[page.slug],
        }
        html = env.get_template("page.html").render(
            page=page, nav=nav, info=info, payload=_json_for_script(payload)
        )
        path = out / f"{page.slug}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
    index = env.get_template("index.html").render(pages=PAGES, nav=nav, info=info)
    (out / "index.html").write_text(index, encoding="utf-8")
    return written


def page_by_slug(slug: str) -> Page:
    return next(page for page in PAGES if page.slug == slug)


def serve(out: Path, port: int) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"dashboard: http://127.0.0.1:{port}/index.html (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m omniwh.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "serve"])
    parser.add_argument("--serving", type=Path, default=None, help="snapshot (default: $OMNI_SERVING_PATH)")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help=f"site folder ({DEFAULT_OUT})")
    parser.add_argument("--port", type=int, default=8050, help="serve: port on 127.0.0.1 (default 8050)")
    args = parser.parse_args(argv)
    try:
        pages = build(args.serving or serving_path(), args.out)
    except DashboardError as err:
        print(f"dashboard: {err}", file=sys.stderr)
        return 2
    print(f"dashboard: {len(pages)} pages in {args.out}")
    if args.command == "serve":
        serve(args.out, args.port)
    return 0

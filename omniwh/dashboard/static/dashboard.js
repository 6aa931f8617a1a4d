/* Dashboard pages: filters and charts over the data embedded in the page (no request to any other host).
 * Every chart box gets data-points = the number of values drawn, which the browser tests read. */
"use strict";

const PAYLOAD = JSON.parse(document.getElementById("page-data").textContent);
// each query arrives as {columns, values, rows}, texts as indexes into `values` (build.py); pages use objects
const DATA = Object.fromEntries(Object.entries(PAYLOAD.data).map(([name, table]) => [name, table.rows.map((row) =>
  Object.fromEntries(table.columns.map((column, i) => {
    const texts = table.values[column];
    return [column, texts && row[i] !== null ? texts[row[i]] : row[i]];
  })))]));
const CHOICES = PAYLOAD.choices;
const COLORS = ["#39a0ff", "#36cfc9", "#ffc53d", "#ff7a45", "#9254de", "#73d13d", "#f759ab", "#bfbfbf"];
const TEXT = { color: "#dce6f5" };
const charts = [];

const pct = (v) => (v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%");
const num = (v, digits = 0) =>
  v === null || v === undefined ? "—" : Number(v).toLocaleString("zh-CN", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const yuan = (v) => (v === null || v === undefined ? "—" : "¥" + num(v, 2));

function option(select, value, label) {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = label;
  select.appendChild(el);
}

function filtersFromUrl() {
  const params = new URLSearchParams(window.location.search);
  return { month: params.get("month") || "", banner: params.get("banner") || "", store: params.get("store") || "" };
}

function setUpFilters(state) {
  const month = document.getElementById("f-month");
  const banner = document.getElementById("f-banner");
  const store = document.getElementById("f-store");
  option(month, "", PAYLOAD.slug === "campaigns" ? "全部月份" : "最新月份");
  CHOICES.months.slice().reverse().forEach((r) => option(month, r.m, r.m));
  option(banner, "", "全部业态");
  CHOICES.banners.forEach((r) => option(banner, r.code, `${r.name || r.code}(${r.code})`));
  const fillStores = () => {
    store.innerHTML = "";
    option(store, "", "全部门店");
    CHOICES.stores.filter((r) => !state.banner || r.banner === state.banner)
      .forEach((r) => option(store, r.id, `${r.name || r.id}(${r.id})`));
  };
  fillStores();
  month.value = state.month;
  banner.value = state.banner;
  store.value = state.store;
  for (const [name, el] of [["month", month], ["banner", banner], ["store", store]]) {
    if (!PAYLOAD.filters.includes(name)) {
      el.disabled = true;
      el.title = "本页不适用";
    }
    el.addEventListener("change", () => {
      state[name] = el.value;
      if (name === "banner") {
        state.store = "";
        fillStores();
      }
      const params = new URLSearchParams();
      for (const key of ["month", "banner", "store"]) if (state[key]) params.set(key, state[key]);
      history.replaceState(null, "", "?" + params.toString());
      render(state);
    });
  }
}

function latestMonth(rows) {
  return rows.reduce((acc, r) => (r.m > acc ? r.m : acc), "");
}

function card(label, value) {
  const el = document.createElement("div");
  el.className = "card";
  el.innerHTML = `<div class="label"></div><div class="value"></div>`;
  el.querySelector(".label").textContent = label;
  el.querySelector(".value").textContent = value;
  document.getElementById("cards").appendChild(el);
  return el;
}

function chart(title, opt, points) {
  const box = document.createElement("div");
  box.className = "chart-box";
  box.innerHTML = `<h2></h2><div class="chart"></div>`;
  box.querySelector("h2").textContent = title;
  document.getElementById("charts").appendChild(box);
  const el = box.querySelector(".chart");
  el.dataset.points = String(points);
  if (!points) {
    el.innerHTML = `<div class="empty">所选范围没有数据</div>`;
    return;
  }
  // the first series' values, for the browser tests (what the chart draws, checked against the snapshot)
  const first = (opt.series || [])[0];
  if (first) el.dataset.values = JSON.stringify(first.data.map((v) => (v && v.value !== undefined ? v.value : v)));
  const instance = echarts.init(el, null, { renderer: "canvas" });
  instance.setOption(Object.assign({ animation: false, color: COLORS, textStyle: TEXT,
    tooltip: { trigger: "axis" }, legend: { textStyle: TEXT, top: 0 },
    grid: { left: 60, right: 30, top: 40, bottom: 40 } }, opt));
  el.dataset.rendered = "1";
  charts.push(instance);
}

function scopeOf(state) {
  if (state.store) return { type: "store", value: state.store, label: `门店 ${state.store}` };
  if (state.banner) return { type: "banner", value: state.banner, label: `业态 ${state.banner}` };
  return { type: "all", value: "ALL", label: "全品牌" };
}

const axis = (data) => ({ type: "category", data, axisLabel: TEXT });
const valueAxis = (extra = {}) => Object.assign({ type: "value", axisLabel: TEXT, splitLine: { lineStyle: { color: "#1f4477" } } }, extra);

const RENDER = {
  member_health(state) {
    const scope = scopeOf(state);
    document.getElementById("scope").textContent = "范围:" + scope.label;
    const rows = DATA.kpis.filter((r) => r.st === scope.type && r.sv === scope.value);
    const month = state.month || latestMonth(rows);
    const current = rows.find((r) => r.m === month) || {};
    card(`会员占比(${month})`, pct(current.mos)).dataset.kpi = "member_order_share";
    card("在线率", pct(current.orr)).dataset.kpi = "online_reachable_rate";
    card("复购率", pct(current.rr)).dataset.kpi = "repurchase_rate";
    card("连带率", num(current.ipo, 2)).dataset.kpi = "items_per_order";
    card("客单价", yuan(current.atv)).dataset.kpi = "average_transaction_value";
    card("新入会", num(current.nm)).dataset.kpi = "new_members";
    const months = rows.map((r) => r.m);
    chart("会员占比与在线率(按月)", {
      xAxis: axis(months), yAxis: valueAxis({ axisLabel: { color: TEXT.color, formatter: (v) => (v * 100).toFixed(0) + "%" } }),
      series: [
        { name: "会员占比", type: "line", data: rows.map((r) => r.mos) },
        { name: "在线率", type: "line", data: rows.map((r) => r.orr) },
      ],
    }, rows.length * 2);
    chart("新增 / 活跃 / 流失会员(按月)", {
      xAxis: axis(months), yAxis: valueAxis(),
      series: [
        { name: "新入会", type: "bar", data: rows.map((r) => r.nm) },
        { name: "活跃会员", type: "bar", data: rows.map((r) => r.am) },
        { name: "流失会员", type: "bar", data: rows.map((r) => r.cm) },
      ],
    }, rows.length * 3);
  },

  rfm(state) {
    const scope = scopeOf(state);
    const inScope = (r) => r.st === scope.type && r.sv === scope.value;
    const segments = DATA.segments.filter(inScope);
    const month = state.month || latestMonth(segments);
    document.getElementById("scope").textContent = `范围:${scope.label} · ${month}`;
    const seg = segments.filter((r) => r.m === month);
    const names = Object.fromEntries(DATA.segments.map((r) => [r.code, r.name]));
    names.unscored = "未评分";
    card(`已评分会员(${month})`, num(seg.reduce((a, r) => a + r.n, 0))).dataset.kpi = "scored_members";
    chart("各分层人数", {
      tooltip: { trigger: "item" },
      xAxis: Object.assign(axis(seg.map((r) => r.name)), { axisLabel: { color: TEXT.color, interval: 0, rotate: 25 } }),
      yAxis: valueAxis(), grid: { left: 60, right: 30, top: 40, bottom: 70 },
      series: [{ name: "人数", type: "bar", data: seg.map((r) => r.n), label: { show: true, position: "top", color: TEXT.color } }],
    }, seg.length);
    const mig = DATA.migrations.filter((r) => inScope(r) && r.m === month);
    const codes = [...new Set(mig.map((r) => r.f).concat(mig.map((r) => r.t)))].sort();
    const max = mig.reduce((a, r) => Math.max(a, r.n), 0);
    chart("分层迁移(上月 → 本月)", {
      tooltip: { trigger: "item", formatter: (p) => `${names[codes[p.value[1]]]} → ${names[codes[p.value[0]]]}:${p.value[2]}` },
      grid: { left: 110, right: 30, top: 20, bottom: 90 },
      xAxis: Object.assign(axis(codes.map((c) => names[c] || c)), { name: "本月", axisLabel: { color: TEXT.color, rotate: 40 } }),
      yAxis: Object.assign(axis(codes.map((c) => names[c] || c)), { name: "上月" }),
      visualMap: { min: 0, max: max || 1, show: false, inRange: { color: ["#112a52", "#39a0ff", "#ffc53d"] } },
      series: [{ type: "heatmap", data: mig.map((r) => [codes.indexOf(r.t), codes.indexOf(r.f), r.n]),
        label: { show: true, color: "#fff", fontSize: 10 } }],
    }, mig.length);
  },

  lifecycle(state) {
    const scope = scopeOf(state);
    const inScope = (r) => r.st === scope.type && r.sv === scope.value;
    const scoped = DATA.stages.filter(inScope);
    const month = state.month || latestMonth(scoped);
    document.getElementById("scope").textContent = `范围:${scope.label} · ${month}`;
    const order = (code) => (PAYLOAD.stage_order || {})[code] ?? 99;
    const stages = scoped.filter((r) => r.m === month).sort((a, b) => order(a.code) - order(b.code));
    card(`已知会员(${month})`, num(stages.reduce((a, r) => a + r.n, 0))).dataset.kpi = "known_members";
    // stages in lifecycle order, prospect to churned (not sorted by size, which a funnel chart would do)
    chart("生命周期漏斗(各阶段会员数)", {
      tooltip: { trigger: "axis" }, grid: { left: 90, right: 50, top: 20, bottom: 30 },
      yAxis: Object.assign(axis(stages.map((r) => r.name)), { inverse: true }), xAxis: valueAxis(),
      series: [{ name: "会员数", type: "bar", data: stages.map((r) => r.n),
        label: { show: true, position: "right", color: TEXT.color } }],
    }, stages.length);
    const journeys = DATA.journeys.filter(inScope);
    let cohort = journeys.filter((r) => r.m === state.month);
    let cohortLabel = state.month ? `首购于 ${state.month}` : "全部首购月份";
    if (!cohort.length) {
      cohortLabel = "全部首购月份";
      cohort = journeys;
    }
    const byDay = {};
    for (const r of cohort) {
      byDay[r.d] = byDay[r.d] || { name: r.name, n: 0, r: 0 };
      byDay[r.d].n += r.n;
      byDay[r.d].r += r.r;
    }
    const days = Object.keys(byDay).map(Number).sort((a, b) => a - b);
    chart(`新会员旅程:第 3 / 7 / 15 / 30 天已复购占比(${cohortLabel})`, {
      xAxis: axis(days.map((d) => byDay[d].name || `第${d}天`)),
      yAxis: valueAxis({ axisLabel: { color: TEXT.color, formatter: (v) => (v * 100).toFixed(0) + "%" } }),
      series: [{ name: "已复购占比", type: "bar", data: days.map((d) => (byDay[d].n ? byDay[d].r / byDay[d].n : null)),
        label: { show: true, position: "top", color: TEXT.color, formatter: (p) => pct(p.value) } }],
    }, days.length);
  },

  cvm(state) {
    const scope = scopeOf(state);
    const dn = { all: "all", banner: "banner", store: "store" }[scope.type];
    document.getElementById("scope").textContent = "范围:" + scope.label;
    const rows = DATA.cvm.filter((r) => r.dn === dn && r.dv === scope.value);
    const month = state.month || latestMonth(rows);
    const current = rows.find((r) => r.m === month) || {};
    card(`会员销售额(${month})`, yuan(current.sales)).dataset.kpi = "member_net_sales";
    card("活跃会员", num(current.am));
    card("购买频次", num(current.pf, 2));
    card("会员客单价", yuan(current.aov)).dataset.kpi = "average_order_value";
    chart("会员销售额与活跃会员(按月)", {
      xAxis: axis(rows.map((r) => r.m)),
      yAxis: [valueAxis({ name: "元" }), valueAxis({ name: "人", splitLine: { show: false } })],
      series: [
        { name: "会员销售额", type: "bar", data: rows.map((r) => r.sales) },
        { name: "活跃会员", type: "line", yAxisIndex: 1, data: rows.map((r) => r.am) },
      ],
    }, rows.length * 2);
    const drivers = DATA.drivers.filter((r) => r.dn === dn && r.dv === scope.value && r.m === month);
    const basisName = { previous_month: "环比上月", same_month_last_year: "同比去年" };
    chart(`变化的驱动因素(${month})`, {
      tooltip: { trigger: "axis", valueFormatter: (v) => yuan(v) },
      xAxis: axis(drivers.map((r) => basisName[r.basis] || r.basis)), yAxis: valueAxis({ name: "元" }),
      series: [
        { name: "人数贡献", type: "bar", data: drivers.map((r) => r.e_am) },
        { name: "频次贡献", type: "bar", data: drivers.map((r) => r.e_pf) },
        { name: "客单价贡献", type: "bar", data: drivers.map((r) => r.e_aov) },
        { name: "销售额变化", type: "scatter", symbolSize: 14, data: drivers.map((r) => r.change) },
      ],
    }, drivers.length * 4);
  },

  campaigns(state) {
    const rows = DATA.campaigns.filter((r) => (!state.month || r.m === state.month)
      && (!state.banner || r.banner === state.banner || r.banner === "ALL"));
    document.getElementById("scope").textContent = `范围:${state.month || "全部月份"} · ${state.banner || "全部业态"}`;
    const sum = (key) => rows.reduce((a, r) => a + (r[key] || 0), 0);
    card("活动数", num(rows.length)).dataset.kpi = "campaign_count";
    card("归因 ROI(合计)", sum("cost") ? num(sum("asales") / sum("cost"), 2) : "—");
    card("增量 ROI(合计)", sum("cost") ? num(sum("isales") / sum("cost"), 2) : "—");
    const names = rows.map((r) => r.name || r.id);
    chart("增量 ROI(95% 区间)与归因 ROI", {
      grid: { left: 60, right: 30, top: 40, bottom: 110 },
      xAxis: Object.assign(axis(names), { axisLabel: { color: TEXT.color, rotate: 35, fontSize: 10 } }),
      yAxis: valueAxis({ name: "元 / 元" }),
      series: [
        { name: "归因 ROI", type: "bar", data: rows.map((r) => r.aroi) },
        { name: "增量 ROI", type: "bar", data: rows.map((r) => r.iroi) },
        { name: "增量 ROI 95% 区间", type: "custom", data: rows.map((r, i) => [i, r.iroi_lo, r.iroi_hi]),
          renderItem: (params, api) => {
            if (api.value(1) === null || isNaN(api.value(1))) return null;
            const lo = api.coord([api.value(0), api.value(1)]);
            const hi = api.coord([api.value(0), api.value(2)]);
            const shift = api.size([1, 0])[0] * 0.18;
            const x = lo[0] + shift;
            return { type: "group", children: [
              { type: "line", shape: { x1: x, y1: lo[1], x2: x, y2: hi[1] }, style: { stroke: "#ffc53d", lineWidth: 2 } },
              { type: "line", shape: { x1: x - 5, y1: lo[1], x2: x + 5, y2: lo[1] }, style: { stroke: "#ffc53d", lineWidth: 2 } },
              { type: "line", shape: { x1: x - 5, y1: hi[1], x2: x + 5, y2: hi[1] }, style: { stroke: "#ffc53d", lineWidth: 2 } },
            ] };
          } },
      ],
    }, rows.length * 2);
    const box = document.createElement("div");
    box.className = "chart-box";
    box.innerHTML = `<h2>活动明细</h2><table class="list"><thead><tr><th>活动</th><th>开始月份</th><th>归因 ROI</th>
      <th>增量 ROI</th><th>95% 区间</th><th>显著</th></tr></thead><tbody></tbody></table>`;
    const body = box.querySelector("tbody");
    for (const r of rows) {
      const tr = document.createElement("tr");
      for (const text of [r.name || r.id, r.m, num(r.aroi, 2), num(r.iroi, 2),
        r.iroi_lo === null ? "—" : `[${num(r.iroi_lo, 2)}, ${num(r.iroi_hi, 2)}]`, r.sig ? "是" : "否"]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    document.getElementById("charts").appendChild(box);
  },

  stores(state) {
    const inBanner = DATA.stores.filter((r) => !state.banner || r.banner === state.banner);
    const month = state.month || latestMonth(inBanner);
    document.getElementById("scope").textContent = `范围:${state.store || state.banner || "全部门店"} · ${month}`;
    const rows = inBanner.filter((r) => r.m === month && (!state.store || r.sid === state.store));
    const tiers = ["S", "A", "B", "C"];
    for (const tier of tiers) {
      card(`${tier} 级门店(${month})`, num(rows.filter((r) => r.tier === tier).length)).dataset.kpi = `tier_${tier}`;
    }
    const months = [...new Set(inBanner.map((r) => r.m))].sort();
    chart("门店分级分布(按月)", {
      xAxis: axis(months), yAxis: valueAxis({ name: "门店数" }),
      series: tiers.map((tier) => ({ name: `${tier} 级`, type: "bar", stack: "tier",
        data: months.map((m) => inBanner.filter((r) => r.m === m && r.tier === tier).length) })),
    }, months.length * tiers.length);
    const ranked = rows.filter((r) => r.ppsqm !== null).sort((a, b) => b.ppsqm - a.ppsqm).slice(0, 30);
    chart(`年化坪效(元/平方米,${month},前 30;颜色 = 等级,灰色 = 未分级)`, {
      grid: { left: 60, right: 30, top: 40, bottom: 110 },
      xAxis: Object.assign(axis(ranked.map((r) => r.name || r.sid)), { axisLabel: { color: TEXT.color, rotate: 40, fontSize: 10 } }),
      yAxis: valueAxis(),
      series: [{ name: "年化坪效", type: "bar", data: ranked.map((r) => ({
        value: r.ppsqm, itemStyle: { color: { S: COLORS[0], A: COLORS[1], B: COLORS[2], C: COLORS[3] }[r.tier] || "#595959" } })) }],
    }, ranked.length);
  },
};

function render(state) {
  charts.splice(0).forEach((c) => c.dispose());
  document.getElementById("cards").innerHTML = "";
  document.getElementById("charts").innerHTML = "";
  RENDER[PAYLOAD.slug](state);
  document.body.dataset.ready = "1";
}

const STATE = filtersFromUrl();
setUpFilters(STATE);
render(STATE);
window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

"use strict";

const $ = (id) => document.getElementById(id);
const STATUS_COLORS = ["#1565c0", "#ef6c00", "#2e7d32", "#90a4ae"];
const SCORE_COLORS = ["#c62828", "#ef6c00", "#f9a825", "#7cb342", "#2e7d32"];

function setRange(days) {
  const end = new Date();
  const start = new Date(end.getTime() - (days - 1) * 86400000);
  $("start").value = isoDay(start);
  $("end").value = isoDay(end);
}

function kpi(labelText, value, sub, id) {
  return el("div", { class: "kpi", id }, el("div", { class: "label" }, labelText),
    el("div", { class: "value" }, value), el("div", { class: "sub" }, sub || ""));
}

function render(data) {
  const sla = data.sla, nps = data.nps, csat = data.csat;
  $("kpis").replaceChildren(
    kpi("CSAT 满意率", csat.csat === null ? "—" : csat.csat + "%", `${csat.count} 条评价`, "kpi-csat"),
    kpi("平均评分", csat.average ?? "—", "满分 5 分", "kpi-average"),
    kpi("NPS", nps.nps ?? "—", `${nps.count} 人回答`, "kpi-nps"),
    kpi("投诉件数", sla.total, `已办结 ${sla.resolved} 件`, "kpi-complaints"),
    kpi("SLA 超时", sla.breached, sla.breach_rate === null ? "" : `超时率 ${sla.breach_rate}%`, "kpi-breached"),
    kpi("平均办结时长", sla.avg_resolution_hours === null ? "—" : sla.avg_resolution_hours + " 小时", "受理到解决", "kpi-resolution"));

  lineChart($("chart-trend"), data.trend.map((p) => ({ x: p.period, y: p.csat, y2: p.average === null ? null : p.average * 20 })),
    { name: "trend", max: 100, suffix: "%", secondary: true });
  legend($("chart-trend"), ["CSAT 满意率", "平均分（×20）"], ["#1565c0", "#f9a825"]);
  barChart($("chart-distribution"), data.distribution.map((d) => ({ label: d.score + "分", value: d.count,
    color: SCORE_COLORS[d.score - 1] })), { name: "distribution" });
  donutChart($("chart-nps"), [
    { label: "推荐者(9-10)", value: nps.promoters, color: "#2e7d32" },
    { label: "中立者(7-8)", value: nps.passives, color: "#f9a825" },
    { label: "贬损者(0-6)", value: nps.detractors, color: "#c62828" }],
    { name: "nps", centre: nps.nps === null ? "—" : String(nps.nps) });
  barChart($("chart-channel"), data.by_channel.map((c) => ({ label: label(CHANNEL_LABELS, c.channel),
    value: c.csat })), { name: "channel", suffix: "%", max: 100 });
  hBarChart($("chart-intent"), data.by_intent.map((i) => ({ label: label(INTENT_LABELS, i.intent),
    value: i.csat, note: `(${i.count})` })), { name: "intent", suffix: "%", max: 100 });

  const byCategory = {};
  for (const row of data.complaints) {
    (byCategory[row.category] = byCategory[row.category] || {})[row.status] = row.count;
  }
  stackedBarChart($("chart-complaints"), CATEGORIES.filter((c) => byCategory[c])
    .map((c) => ({ label: c, parts: byCategory[c] })), STATUSES, { name: "complaints", colors: STATUS_COLORS });
  barChart($("chart-sla"), sla.by_category.map((r) => ({ label: r.category, value: r.breached, color: "#c62828" })),
    { name: "sla" });
  const notes = el("div", { class: "legend" }, sla.by_category.map((r) =>
    el("span", {}, `${r.category}：平均 ${r.avg_resolution_hours ?? "—"} 小时`)));
  $("chart-sla").append(notes);

  $("comments").replaceChildren(...(data.low_comments.length ? data.low_comments.map((c) =>
    el("li", {}, el("span", { class: "stars" }, "★".repeat(c.score) + "☆".repeat(5 - c.score)), " ",
      c.comment, el("div", { class: "meta" }, `${fmtTime(c.answered_at)} · ${label(CHANNEL_LABELS, c.channel)}`
        + (c.kind === "complaint" ? " · 投诉回访" : "")))) : [el("li", { class: "empty" }, "暂无低分评价")]));
  document.body.dataset.loaded = "true";
}

async function load() {
  const params = new URLSearchParams({ start: $("start").value, end: $("end").value,
    granularity: $("granularity").value });
  if ($("channel").value) params.set("channel", $("channel").value);
  const data = await api("/staff/dashboard?" + params);
  const current = $("channel").value;
  $("channel").replaceChildren(el("option", { value: "" }, "全部渠道"),
    ...data.channels.map((c) => el("option", { value: c }, label(CHANNEL_LABELS, c))));
  $("channel").value = current;
  render(data);
}

(async () => {
  const me = await initPage("dashboard");
  if (me.role === "agent") { location.href = "complaints.html"; return; }
  setRange(30);
  $("preset").addEventListener("change", () => { if ($("preset").value) setRange(Number($("preset").value)); });
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  await load();
})();

"use strict";
const $ = (id) => document.getElementById(id);
const PAGE = 30;
let offset = 0;

async function load() {
  const params = new URLSearchParams({ limit: PAGE, offset });
  for (const key of ["status", "category", "breached", "start", "end", "q"]) {
    if ($(key).value) params.set(key, $(key).value);
  }
  const page = await api("/staff/complaints?" + params);
  $("rows").replaceChildren(...(page.items.length ? page.items.map((c) =>
    el("tr", { class: "link", "data-id": c.id, onclick: () => { location.href = `complaint.html?id=${c.id}`; } },
      el("td", {}, c.number), el("td", {}, c.category),
      el("td", {}, el("span", { class: `badge s-${c.status}` }, c.status)),
      el("td", {}, c.branch), el("td", {}, c.customer_id ? c.customer_tier : "匿名"),
      el("td", {}, c.assignee_name || "—"), el("td", {}, fmtTime(c.created_at)),
      el("td", {}, fmtTime(c.due_at), " ", c.sla_breached ? el("span", { class: "badge breach" }, "超时") : null),
      el("td", {}, c.summary))) : [el("tr", {}, el("td", { colspan: 9, class: "empty" }, "没有符合条件的投诉"))]));
  $("page").textContent = `第 ${offset / PAGE + 1} 页 · 共 ${page.total} 件`;
  $("prev").disabled = offset === 0;
  $("next").disabled = offset + PAGE >= page.total;
}

(async () => {
  await initPage("complaints");
  for (const s of STATUSES) $("status").append(el("option", { value: s }, s));
  for (const c of CATEGORIES) $("category").append(el("option", { value: c }, c));
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); offset = 0; load(); });
  $("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  $("next").addEventListener("click", () => { offset += PAGE; load(); });
  await load();
})();

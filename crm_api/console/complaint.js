"use strict";
const $ = (id) => document.getElementById(id);
const id = new URLSearchParams(location.search).get("id");
const ACTION_LABELS = { "处理中": "开始处理 / 重新打开", "已解决": "办结", "已关闭": "关闭" };
const KIND_LABELS = { created: "受理", status: "状态", note: "备注", assignment: "分派" };

function show(c) {
  $("title").textContent = `投诉 ${c.number}`;
  const facts = [
    ["类别", c.category], ["客户", c.customer_name ? `${c.customer_name}（${c.customer_tier}）` : `匿名访客 ${c.contact_name || ""}`],
    ["联系电话", c.contact_phone || "（客户预留手机号）"], ["联系方式", c.contact_method], ["机构", c.branch],
    ["渠道", label(CHANNEL_LABELS, c.channel)], ["涉及账户/交易", c.account_ref || "—"], ["发生时间", c.occurred_text || "—"],
    ["立案时间", fmtTime(c.created_at)], ["答复期限", `${fmtTime(c.due_at)}（${c.sla_hours} 小时）`],
    ["解决时间", fmtTime(c.resolved_at)], ["重新打开", `${c.reopen_count} 次`], ["投诉内容", c.description],
    ["处理结果", c.resolution || "—"]];
  $("facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  $("status").replaceChildren(el("span", { class: `badge s-${c.status}` }, c.status), " ",
    c.sla_breached ? el("span", { class: "badge breach" }, "已超时") : el("span", { class: "badge" }, "未超时"),
    " 处理人：", c.assignee_name || "未分派");
  $("transitions").replaceChildren(...c.allowed_transitions.map((s) =>
    el("button", { class: "secondary", "data-status": s, onclick: () => change(s) }, ACTION_LABELS[s] || s)));
  $("notes").replaceChildren(...c.notes.map((n) => el("li", { class: n.public ? "public" : "" },
    el("div", { class: "meta" }, `${fmtTime(n.created_at)} · ${n.author_name} · ${KIND_LABELS[n.kind] || n.kind}${n.public ? " · 客户可见" : ""}`),
    n.body)));
  $("follow-ups").replaceChildren(...(c.follow_ups.length ? c.follow_ups.map((f) =>
    el("div", {}, `${f.status} · 期限 ${fmtTime(f.due_at)}`, f.outcome ? `：${f.outcome}` : "")) : [el("div", { class: "empty" }, "办结后自动生成回访任务")]));
  $("assignee").value = c.assignee_id || "";
}

async function act(promise) {
  $("error").textContent = "";
  try { show(await promise); } catch (e) { $("error").textContent = e.message; }
}

function change(status) {
  act(api(`/staff/complaints/${id}/status`, { method: "POST", body: { status,
    resolution: $("resolution").value || null } }));
}

(async () => {
  const me = await initPage("complaints");
  const users = await api("/staff/users");
  $("assignee").replaceChildren(el("option", { value: "" }, "请选择"), ...users
    .filter((u) => u.role !== "trainer" && (me.role === "supervisor" || u.id === me.id))
    .map((u) => el("option", { value: u.id }, `${u.display_name}（${u.branch}）`)));
  $("assign").addEventListener("click", () => act(api(`/staff/complaints/${id}/assign`,
    { method: "POST", body: { assignee_id: Number($("assignee").value) } })));
  $("note-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    await api(`/staff/complaints/${id}/notes`, { method: "POST", body: { body: $("note").value,
      public: $("public").checked } });
    $("note").value = "";
    act(api(`/staff/complaints/${id}`));
  });
  act(api(`/staff/complaints/${id}`));
})();

// 人工会话: the queue (live), claiming, the conversation with the customer (live, both
// ways, typing indicators), quick replies, internal notes, transfer, closing with a
// summary and disposition, the customer 360 panel and, for supervisors, the overview.
// Live events come over a WebSocket that reconnects by itself; on every (re)connect the
// lists and the open transcript are reloaded, so nothing missed while offline is lost.
"use strict";

const REASON_TAGS = { fraud: "urgent" };
const state = { me: null, config: null, current: null, detail: null, seen: new Set(),
  socket: null, retry: 0, typingSentAt: 0, typingTimer: null, queue: [], mine: [] };

function $(id) { return document.getElementById(id); }

function waited(seconds) {
  if (seconds < 60) return `${seconds}秒`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}分${seconds % 60}秒` : `${Math.floor(m / 60)}小时${m % 60}分`;
}

function entryKey(entry) { return [entry.from, entry.ts, entry.text].join("|"); }

// ---- lists ---------------------------------------------------------------------------

function listItem(h, { claimable }) {
  const li = el("li", { "data-id": h.id, class: state.current === h.id ? "active" : "" },
    el("div", { class: "row1" },
      el("strong", {}, h.customer_label),
      el("span", {}, el("span", { class: "ho-tag " + (REASON_TAGS[h.reason] || "") }, h.reason_label),
        h.customer_tier && h.customer_tier !== "普通" ? el("span", { class: "ho-tag tier" }, " " + h.customer_tier) : null)),
    el("div", { class: "preview" }, h.last_message || "—"),
    el("div", { class: "row1 muted" },
      el("span", { class: "wait", "data-created": h.created_at,
                   "data-static": h.status === "waiting" ? "" : "1" },
        h.status === "waiting" ? `已等待 ${waited(h.waiting_seconds)}` : `${h.claimed_by_name || ""} 接入中`),
      claimable ? el("button", { class: "primary claim", onclick: (e) => { e.stopPropagation(); claim(h.id); } }, "接入") : null));
  if (!claimable) li.addEventListener("click", () => openConversation(h.id));
  return li;
}

async function refreshLists() {
  const [queue, mine, callbacks] = await Promise.all([
    api("/handoff/queue"), api("/handoff/mine"), api("/handoff/callbacks/open")]);
  state.queue = queue;
  state.mine = mine;
  $("queue-count").textContent = `${queue.length} 人`;
  $("queue").replaceChildren(...(queue.length ? queue.map((h) => listItem(h, { claimable: true }))
    : [el("li", { class: "empty" }, "暂无排队")]));
  $("mine").replaceChildren(...(mine.length ? mine.map((h) => listItem(h, { claimable: false }))
    : [el("li", { class: "empty" }, "暂无进行中的会话")]));
  $("callback-count").textContent = `${callbacks.length} 条`;
  $("callbacks").replaceChildren(...(callbacks.length ? callbacks.map((c) => el("li", {},
    el("div", { class: "row1" }, el("strong", {}, c.phone_masked || "（未留号码）"),
      el("span", { class: "muted" }, fmtTime(c.created_at))),
    el("div", { class: "preview" }, `方便时间：${c.preferred_time}`)))
    : [el("li", { class: "empty" }, "暂无")]));
  if (state.me.role === "supervisor") refreshStats();
}

function tickWaits() {
  for (const span of document.querySelectorAll(".wait[data-created]")) {
    if (span.dataset.static) continue;
    const seconds = Math.max(0, Math.round((Date.now() - new Date(span.dataset.created)) / 1000));
    span.textContent = `已等待 ${waited(seconds)}`;
  }
}

async function refreshStats() {
  const s = await api("/handoff/stats/overview");
  $("stats").hidden = false;
  const kpi = (labelText, value) => el("div", { class: "kpi" },
    el("div", { class: "label" }, labelText), el("div", { class: "value" }, value));
  $("kpis").replaceChildren(
    kpi("在线坐席", s.agents.length), kpi("排队人数", s.queue_length),
    kpi("最长等待", waited(s.longest_wait_seconds)), kpi("平均等待", waited(s.average_wait_seconds)),
    kpi("处理中", s.in_progress), kpi("今日已处理", s.handled_today), kpi("待回电", s.open_callbacks));
  $("agents").replaceChildren(...s.agents.map((a) => el("tr", {},
    el("td", {}, a.display_name), el("td", {}, label(ROLE_LABELS, a.role)),
    el("td", {}, a.online_since ? waited(Math.round((Date.now() - new Date(a.online_since)) / 1000)) : "—"),
    el("td", {}, a.active), el("td", {}, a.handled_today))));
  $("stats-updated").textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN");
}

// ---- a conversation --------------------------------------------------------------------

async function claim(id) {
  try {
    await api(`/handoff/${id}/claim`, { method: "POST" });
  } catch (e) {
    alert(e.code === "handoff_already_claimed" ? "该会话已被其他坐席接入" : e.message);
    await refreshLists();
    return;
  }
  await refreshLists();
  await openConversation(id);
}

function renderEntry(entry) {
  const key = entryKey(entry);
  if (state.seen.has(key)) return;
  state.seen.add(key);
  const list = $("transcript");
  if (entry.from === "system") {
    list.append(el("li", { class: "system" }, `—— ${entry.text} ${entry.ts ? fmtTime(entry.ts) : ""} ——`));
  } else {
    const who = entry.from === "customer" ? "客户" : entry.from === "agent" ? `人工客服 ${entry.agent}` : "智能客服";
    let nlu = null;
    if (entry.from === "customer" && entry.intent) {
      const confidence = typeof entry.confidence === "number" ? entry.confidence : null;
      nlu = el("div", { class: "nlu" + (confidence !== null && confidence < 0.6 ? " low" : "") },
        `机器人理解：${label(INTENT_LABELS, entry.intent)}（${entry.intent}）` +
        (confidence !== null ? ` 置信度 ${(confidence * 100).toFixed(0)}%` : ""));
    }
    list.append(el("li", { class: entry.from },
      el("div", { class: "who" }, `${who} · ${entry.ts ? fmtTime(entry.ts).slice(11) : ""}`),
      el("div", { class: "bubble" }, entry.text), nlu));
  }
  list.scrollTop = list.scrollHeight;
}

function renderActivities(detail) {
  $("activities").replaceChildren(...detail.activities.map((a) => el("li", {},
    `${fmtTime(a.created_at).slice(11)} ${a.staff_name || "系统"}：${a.body || a.kind}`)));
}

async function openConversation(id) {
  state.current = id;
  state.seen = new Set();
  $("transcript").replaceChildren();
  const detail = await api(`/handoff/${id}`);
  state.detail = detail;
  $("chat-empty").hidden = true;
  $("chat-view").hidden = false;
  $("chat-title").textContent = detail.customer_label;
  $("chat-reason").textContent = detail.reason_label;
  $("chat-reason").className = "ho-tag " + (REASON_TAGS[detail.reason] || "");
  $("chat-meta").textContent = `${label(CHANNEL_LABELS, detail.channel)} · 排队 ${waited(detail.waiting_seconds)} · ${detail.claimed_by_name || ""}`;
  const mineNow = detail.claimed_by === state.me.id && detail.status === "claimed";
  for (const id2 of ["reply", "send", "close", "summary", "disposition", "transfer", "transfer-to", "note"]) {
    $(id2).disabled = !mineNow;
  }
  renderActivities(detail);
  document.querySelectorAll(".ho-list li").forEach((li) =>
    li.classList.toggle("active", Number(li.dataset.id) === id));
  const [transcript] = await Promise.all([api(`/handoff/${id}/transcript`), loadCustomer(id), loadTransferTargets()]);
  transcript.entries.forEach(renderEntry);
  if (mineNow) $("reply").focus();
}

async function loadTransferTargets() {
  const online = await api("/handoff/staff/online");
  $("transfer-to").replaceChildren(el("option", { value: "" }, "退回队列"),
    ...online.map((s) => el("option", { value: s.id }, `${s.display_name}（${label(ROLE_LABELS, s.role)}）`)));
}

function section(title, items, render) {
  return [el("h3", {}, title), items && items.length ? el("ul", {}, items.map((i) => el("li", {}, render(i))))
    : el("div", { class: "muted" }, "无")];
}

async function loadCustomer(id) {
  const view = await api(`/handoff/${id}/customer`);
  $("customer-empty").hidden = true;
  const box = $("customer-view");
  if (!view.verified) {
    box.replaceChildren(el("p", { class: "muted" }, "客户尚未验证身份（匿名访客）。如需查询账户，请引导客户在对话中完成验证。"));
    return;
  }
  const s = view.sections;
  const p = s.profile;
  box.replaceChildren(
    el("dl", {},
      el("dt", {}, "姓名"), el("dd", {}, `${p.name}（${p.gender}，${p.age}岁）`),
      el("dt", {}, "客户等级"), el("dd", {}, p.tier),
      el("dt", {}, "手机"), el("dd", {}, p.phone),
      el("dt", {}, "城市/职业"), el("dd", {}, `${p.city} · ${p.occupation}`),
      el("dt", {}, "开户"), el("dd", {}, p.customer_since)),
    ...section("账户", s.accounts, (a) => `${a.label} ${a.status === "normal" ? "" : "（" + a.status + "）"} 余额 ¥${a.balance}` +
      (a.credit_limit ? ` / 额度 ¥${a.credit_limit}` : "")),
    ...section("最近交易", s.transactions, (t) => `${fmtTime(t.occurred_at).slice(5, 16)} ${t.account} ${t.amount} ${t.counterparty}`),
    ...section("未结投诉", s.complaints, (c) => `${c.number} ${c.category} · ${c.status}`),
    ...section("近期满意度", s.satisfaction, (r) => `${"★".repeat(r.score || 0)} ${r.comment || ""}`),
    ...section("持有产品", s.holdings, (h) => `${h.product}（${h.product_type}）¥${h.amount}`),
    ...section("推荐产品", s.recommendations, (r) => `${r.product}（${r.product_type}）${(r.reasons || []).join("；")}`));
}

async function sendReply(text) {
  text = text.trim();
  if (!text || !state.current) return;
  try {
    const entry = await api(`/handoff/${state.current}/messages`, { method: "POST", body: { text } });
    renderEntry(entry);
    $("reply").value = "";
  } catch (e) {
    alert(e.message);
  }
}

// ---- live feed ---------------------------------------------------------------------------

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${API}/handoff/ws`);
  state.socket = socket;
  socket.onopen = async () => {
    state.retry = 0;
    $("conn").classList.add("on");
    $("conn").title = "实时连接正常";
    await refreshLists();
    if (state.current) await openConversation(state.current);  // catch up on anything missed
  };
  socket.onmessage = (message) => onEvent(JSON.parse(message.data));
  socket.onclose = (event) => {
    $("conn").classList.remove("on");
    $("conn").title = "连接中断，正在重连…";
    if (event.code === 4401) {
      location.href = "index.html?next=" + encodeURIComponent(location.pathname);
      return;
    }
    state.retry = Math.min(state.retry + 1, 5);
    setTimeout(connect, 500 * 2 ** state.retry);
  };
}

function onEvent(event) {
  if (event.type === "queue_changed" || event.type === "closed" || event.type === "callbacks_changed") {
    refreshLists();
    if (event.type === "queue_changed" && event.handoff_id === state.current) {
      api(`/handoff/${state.current}`).then((d) => { state.detail = d; renderActivities(d); }).catch(() => {});
    }
  } else if (event.type === "presence_changed") {
    if (state.me.role === "supervisor") refreshStats();
  } else if (event.type === "message") {
    if (event.handoff_id === state.current) {
      renderEntry(event.entry);
      if (event.entry.from === "customer") $("typing").hidden = true;
    } else {
      const li = document.querySelector(`#mine li[data-id="${event.handoff_id}"]`);
      if (li) li.classList.add("unread");
    }
  } else if (event.type === "typing" && event.handoff_id === state.current) {
    $("typing").hidden = false;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(() => { $("typing").hidden = true; }, 4000);
  }
}

function sendTyping() {
  const now = Date.now();
  if (!state.current || !state.socket || state.socket.readyState !== WebSocket.OPEN) return;
  if (now - state.typingSentAt < 2000) return;
  state.typingSentAt = now;
  state.socket.send(JSON.stringify({ type: "typing", handoff_id: state.current, typing: true }));
}

// ---- wiring ------------------------------------------------------------------------------

async function main() {
  state.me = await initPage("handoff");
  state.config = await api("/handoff/config");
  if (state.me.role === "supervisor") $("mine-title").textContent = "进行中的会话（全部）";
  $("quick").replaceChildren(...state.config.quick_replies.map((q) =>
    el("button", { type: "button", title: "点击填入回复框", onclick: () => { $("reply").value = q; $("reply").focus(); } }, q)));
  $("disposition").replaceChildren(el("option", { value: "" }, "结束原因…"),
    ...state.config.dispositions.map((d) => el("option", { value: d.code }, d.label)));
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); sendReply($("reply").value); });
  $("reply").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendReply($("reply").value); }
  });
  $("reply").addEventListener("input", sendTyping);
  $("note-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = $("note").value.trim();
    if (!body) return;
    await api(`/handoff/${state.current}/notes`, { method: "POST", body: { body } });
    $("note").value = "";
    renderActivities(await api(`/handoff/${state.current}`));
  });
  $("transfer").addEventListener("click", async () => {
    const target = $("transfer-to").value;
    const text = target ? "确认转接给所选同事？" : "确认退回排队队列？";
    if (!confirm(text)) return;
    await api(`/handoff/${state.current}/transfer`, { method: "POST",
      body: { to_staff_id: target ? Number(target) : null } });
    resetChat();
    await refreshLists();
  });
  $("close-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api(`/handoff/${state.current}/close`, { method: "POST", body: {
        summary: $("summary").value, disposition: $("disposition").value } });
    } catch (err) {
      alert(err.message);
      return;
    }
    $("summary").value = "";
    $("disposition").value = "";
    resetChat();
    await refreshLists();
  });
  setInterval(tickWaits, 1000);
  setInterval(() => {  // heartbeat: keeps this agent "online" for the queue
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify({ type: "heartbeat" }));
    }
  }, 15000);
  connect();
}

function resetChat() {
  state.current = null;
  $("chat-view").hidden = true;
  $("chat-empty").hidden = false;
  $("customer-view").replaceChildren();
  $("customer-empty").hidden = false;
}

main();

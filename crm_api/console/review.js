"use strict";
// 对话复盘: browse conversations from Rasa's tracker store, read one like a chat, save it
// as a test story (optionally with corrected intents).
const $ = (id) => document.getElementById(id);
const LOW_CONFIDENCE = 0.7;
const MARKERS = {
  pause: "—— 已转人工坐席 ——", resume: "—— 人工服务结束，机器人恢复 ——",
  session_started: "新会话开始", restart: "客户重新开始对话", rewind: "机器人撤回了对上一句的理解",
};
let page = 1;
let current = null; // sender id shown on the right
let intents = [];
const corrections = new Map(); // event_id -> corrected intent

function pct(confidence) {
  return typeof confidence === "number" ? `${Math.round(confidence * 100)}%` : "—";
}

function filters() {
  const params = new URLSearchParams({ page });
  if ($("intent").value) params.set("intent", $("intent").value);
  for (const key of ["fallback", "handoff", "low_csat"]) if ($(key).checked) params.set(key, "true");
  if ($("q").value.trim()) params.set("q", $("q").value.trim());
  return params;
}

function tags(c) {
  return [
    c.fallback ? el("span", { class: "badge fallback" }, "兜底") : null,
    c.handoff ? el("span", { class: "badge handoff" }, "转人工") : null,
    c.csat ? el("span", { class: `badge ${c.csat <= 2 ? "csat-low" : "csat-ok"}` }, `满意度 ${c.csat} 分`) : null,
    ...c.intents.filter((i) => i !== "nlu_fallback").slice(0, 4)
      .map((i) => el("span", { class: "badge intent", title: i }, label(INTENT_LABELS, i))),
  ];
}

async function loadList() {
  let body;
  try {
    body = await api("/trainer/conversations?" + filters());
  } catch (error) {
    $("conversations").replaceChildren(el("li", { class: "empty" }, error.message));
    return;
  }
  $("count").textContent = `共 ${body.total} 段`;
  $("conversations").replaceChildren(...(body.items.length ? body.items.map((c) =>
    el("li", { class: c.sender_id === current ? "active" : "", "data-id": c.sender_id,
      onclick: () => openConversation(c.sender_id) },
      el("div", { class: "line1" },
        el("strong", {}, `${c.customer_messages} 句`),
        el("span", { class: "sid", title: c.sender_id }, c.sender_id),
        el("span", { class: "time" }, fmtTime(c.last_at))),
      el("div", { class: "preview" }, c.preview || "（无文字）"),
      el("div", { class: "tags" }, label(CHANNEL_LABELS, c.channel || "—"), " ", tags(c))))
    : [el("li", { class: "empty" }, "没有符合条件的对话")]));
  const pages = Math.max(1, Math.ceil(body.total / body.page_size));
  $("page").textContent = `第 ${page} / ${pages} 页`;
  $("prev").disabled = page <= 1;
  $("next").disabled = page >= pages;
}

function intentSelect(entry) {
  const original = entry.retrieval_intent || entry.intent;
  const select = el("select", { title: "识别错了？选择正确的意图，保存故事时使用" },
    el("option", { value: "" }, "更正意图…"),
    intents.filter((i) => i !== original).map((i) => el("option", { value: i }, `改为 ${intentLabel(i)}`)));
  select.addEventListener("change", () => {
    if (select.value) corrections.set(entry.event_id, select.value);
    else corrections.delete(entry.event_id);
    select.classList.toggle("changed", Boolean(select.value));
  });
  return select;
}

function customerBubble(e) {
  const low = typeof e.confidence === "number" && e.confidence < LOW_CONFIDENCE;
  const intentName = e.retrieval_intent || e.intent;
  return el("div", { class: `msg customer${e.fallback ? " fallback" : ""}` },
    el("span", { class: "who" }, `客户 · ${fmtTime(e.at)}`),
    el("div", { class: "bubble" }, e.text || "（空）"),
    el("div", { class: "nlu" },
      e.fallback ? el("span", { class: "badge fallback" }, "未识别（兜底）") : null,
      el("span", {}, "意图 ", el("strong", {}, intentLabel(intentName))),
      el("span", { class: `conf${low ? " low" : ""}` }, `置信度 ${pct(e.confidence)}`),
      (e.alternatives || []).length ? el("span", { title: "其次可能的意图" },
        "其次：", e.alternatives.map((a) => `${label(INTENT_LABELS, a.intent)} ${pct(a.confidence)}`).join("，")) : null,
      (e.entities || []).map((x) => el("span", { class: "entity" }, `${x.entity}=${x.value}`)),
      intentSelect(e)));
}

function entryNode(e) {
  switch (e.kind) {
    case "customer": return customerBubble(e);
    case "bot":
      return el("div", { class: "msg bot" }, el("span", { class: "who" }, "机器人小智"),
        el("div", { class: "bubble" }, e.text),
        e.buttons && e.buttons.length ? el("div", { class: "buttons" }, e.buttons.map((b) => el("span", {}, b))) : null);
    case "agent":
      return el("div", { class: "msg agent" }, el("span", { class: "who" }, `人工坐席 ${e.agent}`),
        el("div", { class: "bubble" }, e.text));
    case "marker":
      return el("div", { class: `sys${e.marker === "pause" || e.marker === "resume" ? " handoff" : ""}` },
        MARKERS[e.marker] || e.marker);
    case "rejected":
      return el("div", { class: "sys rejected detail-only" }, `表单 ${e.name} 没能处理这句话`);
    case "action":
      return el("div", { class: "sys detail-only" }, `动作 ${e.name}`,
        e.policy ? `（${e.policy} ${pct(e.confidence)}）` : "");
    case "slot":
      return el("div", { class: "sys detail-only" }, `槽位 ${e.name} = ${JSON.stringify(e.value)}`);
    case "form":
      return el("div", { class: "sys detail-only" }, e.name ? `表单 ${e.name} 开始` : "表单结束");
    default: return null;
  }
}

async function openConversation(senderId) {
  current = senderId;
  corrections.clear();
  for (const li of $("conversations").children) li.classList.toggle("active", li.dataset.id === senderId);
  let body;
  try {
    body = await api(`/trainer/conversations/${encodeURIComponent(senderId)}`);
  } catch (error) {
    $("transcript-head").replaceChildren(el("p", { class: "error" }, error.message));
    return;
  }
  const c = body.conversation;
  $("transcript-head").replaceChildren(
    el("h2", {}, "对话全文 ", el("small", {}, c.sender_id)),
    el("div", { class: "meta" },
      el("span", {}, `渠道：${label(CHANNEL_LABELS, c.channel || "—")}`),
      el("span", {}, `${fmtTime(c.started_at)} 至 ${fmtTime(c.last_at)}`),
      el("span", {}, `客户消息 ${c.customer_messages} 句`),
      el("span", {}, c.csat ? `满意度 ${c.csat} 分` : "未评价"),
      c.handoff ? el("span", { class: "badge handoff" }, "转过人工") : null,
      c.fallback ? el("span", { class: "badge fallback" }, "出现兜底") : null));
  $("transcript").replaceChildren(...body.entries.map(entryNode).filter(Boolean));
  $("save").hidden = false;
  $("saved").hidden = true;
  $("save-error").textContent = "";
}

async function saveStory(event) {
  event.preventDefault();
  $("save-error").textContent = "";
  const payload = { name: $("story-name").value.trim(), intents: Object.fromEntries(corrections) };
  try {
    const saved = await api(`/trainer/conversations/${encodeURIComponent(current)}/test-story`,
      { method: "POST", body: payload });
    $("saved").hidden = false;
    $("saved").replaceChildren(
      el("div", {}, "已保存：", el("code", {}, saved.path),
        corrections.size ? `（更正了 ${corrections.size} 句的意图）` : ""),
      el("details", {}, el("summary", {}, "查看故事内容"), el("pre", {}, saved.content)));
  } catch (error) {
    const messages = {
      story_exists: "这个名称的测试故事已经有了，请换一个名称。",
      story_name_invalid: "名称只能用中英文、数字、下划线或连字符，最多60个字。",
      unknown_intent: "所选意图不在当前的意图列表中，请刷新页面后重新选择。",
    };
    $("save-error").textContent = messages[error.code] || error.message;
  }
}

(async () => {
  await initPage("review");
  try {
    intents = (await api("/trainer/review/intents")).intents;
  } catch (error) {
    intents = [];
  }
  for (const i of intents) $("intent").append(el("option", { value: i }, intentLabel(i)));
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); page = 1; loadList(); });
  for (const key of ["intent", "fallback", "handoff", "low_csat"]) {
    $(key).addEventListener("change", () => { page = 1; loadList(); });
  }
  $("prev").addEventListener("click", () => { page = Math.max(1, page - 1); loadList(); });
  $("next").addEventListener("click", () => { page += 1; loadList(); });
  $("details").addEventListener("change", () => $("transcript").classList.toggle("details", $("details").checked));
  $("save").addEventListener("submit", saveStory);
  await loadList();
  // review.html?conversation=<sender id>: opened from the NLU inbox
  const wanted = new URLSearchParams(location.search).get("conversation");
  const first = $("conversations").querySelector("li[data-id]");
  if (wanted) await openConversation(wanted);
  else if (first) await openConversation(first.dataset.id);
})();

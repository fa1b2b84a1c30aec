// NLU 收件箱: real customer messages, worst understood first; confirm, re-label or discard.
"use strict";

const ENTITY_LABELS = {
  account_type: "账户类型", product_type: "产品类型", complaint_category: "投诉类别",
  rating: "评分", time_period: "时间段", amount: "金额", phone_number: "手机号",
  card_number: "卡号", card_tail: "卡号尾号", verification_code: "验证码",
};
const PAGE_SIZE = 20;
const state = { status: "new", reason: "", q: "", page: 1, labels: null };

// Python counts code points, the DOM counts UTF-16 units: convert at the boundary.
function toCodePoints(text, utf16) { return Array.from(text.slice(0, utf16)).length; }
function slice(text, start, end) { return Array.from(text).slice(start, end).join(""); }

function highlighted(text, entities) {
  const chars = Array.from(text);
  const spans = (entities || []).filter((e) => e.entity).slice().sort((a, b) => a.start - b.start);
  const out = [];
  let last = 0;
  for (const e of spans) {
    if (e.start < last) continue; // the same span from two extractors
    out.push(chars.slice(last, e.start).join(""));
    const value = e.value !== null && e.value !== undefined && String(e.value) !== chars.slice(e.start, e.end).join("")
      ? `=${e.value}` : "";
    out.push(el("mark", { title: `${e.entity}${value}` }, chars.slice(e.start, e.end).join(""),
      el("small", {}, `${label(ENTITY_LABELS, e.entity)}${value}`)));
    last = e.end;
  }
  out.push(chars.slice(last).join(""));
  return out;
}

function markup(text, entities) {
  let out = "";
  let last = 0;
  for (const e of entities.slice().sort((a, b) => a.start - b.start)) {
    out += slice(text, last, e.start);
    const surface = slice(text, e.start, e.end);
    out += e.value ? `[${surface}]{"entity": "${e.entity}", "value": "${e.value}"}` : `[${surface}](${e.entity})`;
    last = e.end;
  }
  return out + slice(text, last);
}

function intentSelect(selected) {
  const select = el("select", { class: "intent-select", "aria-label": "正确的意图" });
  select.append(el("option", { value: "" }, "请选择正确的意图…"));
  const business = el("optgroup", { label: "业务与对话" });
  const faq = el("optgroup", { label: "常见问题（知识库）" });
  for (const intent of state.labels.intents) {
    const option = el("option", { value: intent.name }, intentLabel(intent.name));
    if (intent.name === selected) option.selected = true;
    (intent.name.startsWith("faq/") ? faq : business).append(option);
  }
  select.append(business, faq);
  return select;
}

function openEditor(item, card) {
  const old = card.querySelector(".editor");
  if (old) { old.remove(); return; }
  const entities = (item.entities || [])
    .filter((e) => state.labels.entities.some((l) => l.name === e.entity && l.annotatable))
    .filter((e, i, all) => !all.slice(0, i).some((o) => o.start < e.end && e.start < o.end))
    .map((e) => ({ start: e.start, end: e.end, entity: e.entity,
      value: e.value !== null && String(e.value) !== slice(item.text, e.start, e.end) ? String(e.value) : null }));
  const predicted = item.predicted_intent === "nlu_fallback" ? "" : item.predicted_intent;
  const intent = intentSelect(predicted);
  const textNode = document.createTextNode(item.text);
  const selectable = el("div", { class: "selectable", title: "用鼠标划选实体文字" }, textNode);
  const annotatable = state.labels.entities.filter((l) => l.annotatable);
  const entitySelect = el("select", { class: "entity-select", "aria-label": "实体类型" },
    annotatable.map((l) => el("option", { value: l.name }, `${label(ENTITY_LABELS, l.name)}（${l.name}）`)));
  const valueSelect = el("select", { class: "value-select", "aria-label": "标准值" });
  const fillValues = () => {
    const spec = annotatable.find((l) => l.name === entitySelect.value);
    valueSelect.replaceChildren(el("option", { value: "" }, "取原文"),
      ...(spec ? spec.values : []).map((v) => el("option", { value: v }, v)));
  };
  entitySelect.addEventListener("change", fillValues);
  fillValues();
  const chips = el("div", { class: "chips" });
  const preview = el("div", { class: "preview" });
  const message = el("div", { class: "msg-error", role: "alert" });
  const render = () => {
    chips.replaceChildren(...entities.map((e, i) => el("span", { class: "chip" },
      `${slice(item.text, e.start, e.end)} → ${label(ENTITY_LABELS, e.entity)}${e.value ? "=" + e.value : ""}`,
      el("button", { type: "button", title: "删除", onclick: () => { entities.splice(i, 1); render(); } }, "✕"))));
    preview.textContent = "将写入：- " + markup(item.text, entities);
  };
  const addEntity = () => {
    message.textContent = "";
    const selection = window.getSelection();
    if (!selection.rangeCount) { message.textContent = "请先在句子上划选实体文字"; return; }
    const range = selection.getRangeAt(0);
    if (range.startContainer !== textNode || range.endContainer !== textNode || range.collapsed) {
      message.textContent = "请先在上面的句子里划选实体文字"; return;
    }
    let start = toCodePoints(item.text, range.startOffset);
    let end = toCodePoints(item.text, range.endOffset);
    const chars = Array.from(item.text);
    while (start < end && /\s/.test(chars[start])) start += 1;
    while (end > start && /\s/.test(chars[end - 1])) end -= 1;
    if (entities.some((e) => e.start < end && start < e.end)) {
      message.textContent = "和已标的实体重叠了"; return;
    }
    entities.push({ start, end, entity: entitySelect.value, value: valueSelect.value || null });
    selection.removeAllRanges();
    render();
  };
  const save = async () => {
    message.textContent = "";
    if (!intent.value) { message.textContent = "请选择正确的意图"; return; }
    try {
      const saved = await api(`/trainer/inbox/${item.id}/accept`, { method: "POST",
        body: { intent: intent.value, entities } });
      done(card, `已写入 ${saved.written_to}（${intentLabel(saved.final_intent)}）`);
    } catch (error) { message.textContent = error.message; }
  };
  const editor = el("div", { class: "editor" },
    el("div", { class: "row" }, el("strong", {}, "意图"), intent),
    selectable,
    el("div", { class: "row" }, el("strong", {}, "实体"), entitySelect, valueSelect,
      el("button", { type: "button", class: "secondary add-entity", onclick: addEntity }, "标为实体")),
    chips, preview, message,
    el("div", { class: "row" },
      el("button", { type: "button", class: "primary save-label", onclick: save }, "保存到训练数据"),
      el("button", { type: "button", class: "secondary", onclick: () => editor.remove() }, "取消")));
  card.append(editor);
  render();
}

function done(card, text) {
  card.querySelector(".actions-row").replaceChildren(el("span", { class: "done" }, "✓ " + text));
  const editor = card.querySelector(".editor");
  if (editor) editor.remove();
}

function renderItem(item) {
  const card = el("article", { class: `item r-${item.reason}`, "data-id": item.id });
  const shown = item.status === "accepted" && item.final_entities ? item.final_entities : item.entities;
  const ranking = (item.intent_ranking || []).filter((r) => r.name !== "nlu_fallback").slice(0, 3)
    .map((r) => `${intentLabel(r.name)} ${(r.confidence * 100).toFixed(0)}%`).join("　");
  const confidence = item.confidence === null ? 0 : item.confidence;
  const message = el("span", { class: "msg-error", role: "alert" });
  card.append(
    el("div", { class: "utterance" }, highlighted(item.text, shown)),
    el("div", { class: "meta" },
      el("span", { class: `badge r-${item.reason}` }, item.reason_label),
      el("span", {}, "识别为 ", el("strong", { class: "predicted" }, intentLabel(item.predicted_intent)),
        el("span", { class: "conf", title: `置信度 ${(confidence * 100).toFixed(0)}%` },
          el("i", { style: `width:${Math.round(confidence * 100)}%` })),
        ` ${(confidence * 100).toFixed(0)}%`),
      item.occurrences > 1 ? el("span", {}, `出现 ${item.occurrences} 次`) : null,
      el("span", {}, `最近 ${fmtTime(item.last_seen_at)}`),
      item.channel ? el("span", {}, label(CHANNEL_LABELS, item.channel)) : null,
      item.conversation_id ? el("a", { class: "open-conversation", target: "_blank",
        href: `review.html?conversation=${encodeURIComponent(item.conversation_id)}` }, "查看对话") : null),
    ranking ? el("div", { class: "ranking" }, "候选：" + ranking) : null);
  if (item.status === "new") {
    const canConfirm = item.predicted_intent && item.predicted_intent !== "nlu_fallback";
    card.append(el("div", { class: "actions-row" },
      el("button", { type: "button", class: "secondary confirm", disabled: canConfirm ? null : "disabled",
        title: canConfirm ? "按机器人的判断加入训练数据" : "机器人没识别出来，请用「改标注」",
        onclick: async () => {
          try {
            const saved = await api(`/trainer/inbox/${item.id}/accept`, { method: "POST", body: {} });
            done(card, `已写入 ${saved.written_to}`);
          } catch (error) { message.textContent = error.message; }
        } }, "✓ 识别正确"),
      el("button", { type: "button", class: "primary relabel", onclick: () => openEditor(item, card) }, "改标注"),
      el("button", { type: "button", class: "secondary discard", onclick: async () => {
        try {
          await api(`/trainer/inbox/${item.id}/discard`, { method: "POST" });
          done(card, "已丢弃");
        } catch (error) { message.textContent = error.message; }
      } }, "丢弃"),
      message));
  } else {
    card.append(el("div", { class: "actions-row" }, el("span", { class: "done" },
      item.status === "accepted" ? `已采纳为 ${intentLabel(item.final_intent)} → ${item.written_to}` : "已丢弃",
      item.reviewed_at ? `（${fmtTime(item.reviewed_at)}）` : "")));
  }
  return card;
}

function renderCounts(counts) {
  const box = document.getElementById("counts");
  box.replaceChildren(...state.labels.reasons.map(({ name: key, label: text }) =>
    el("div", { class: `kpi${state.reason === key ? " active" : ""}`, "data-reason": key,
      onclick: () => { state.reason = state.reason === key ? "" : key; state.page = 1;
        document.getElementById("reason").value = state.reason; load(); } },
    el("div", { class: "label" }, `待处理 · ${text}`),
    el("div", { class: "value" }, String(counts[key] || 0)))));
}

async function load() {
  const params = new URLSearchParams({ status: state.status, page: state.page, page_size: PAGE_SIZE });
  if (state.reason) params.set("reason", state.reason);
  if (state.q) params.set("q", state.q);
  const body = await api(`/trainer/inbox?${params}`);
  renderCounts(body.counts);
  const list = document.getElementById("items");
  list.replaceChildren(...(body.items.length ? body.items.map(renderItem)
    : [el("div", { class: "empty" }, state.status === "new" ? "没有待处理的消息。点「收取新消息」看看有没有新的对话。" : "没有记录")]));
  const pages = Math.max(1, Math.ceil(body.total / PAGE_SIZE));
  document.getElementById("page").textContent = `第 ${state.page} / ${pages} 页，共 ${body.total} 条`;
  document.getElementById("prev").disabled = state.page <= 1;
  document.getElementById("next").disabled = state.page >= pages;
}

async function sync() {
  const out = document.getElementById("sync-result");
  out.textContent = "正在收取…";
  try {
    const result = await api("/trainer/inbox/sync", { method: "POST" });
    out.textContent = `读取 ${result.messages} 条客户消息：新增 ${result.new_items} 条，` +
      `重复 ${result.updated_items} 条，已在训练数据中 ${result.already_known} 条`;
    await load();
  } catch (error) { out.textContent = error.message; }
}

(async () => {
  await initPage("inbox");
  state.labels = await api("/trainer/inbox/labels");
  document.getElementById("reason").append(...state.labels.reasons.map((r) =>
    el("option", { value: r.name }, r.label)));
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.status = document.getElementById("status").value;
    state.reason = document.getElementById("reason").value;
    state.q = document.getElementById("q").value.trim();
    state.page = 1;
    load();
  });
  document.getElementById("sync").addEventListener("click", sync);
  document.getElementById("prev").addEventListener("click", () => { state.page -= 1; load(); });
  document.getElementById("next").addEventListener("click", () => { state.page += 1; load(); });
  await sync();
})();

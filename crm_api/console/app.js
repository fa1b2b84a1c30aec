// Shared console helpers: authenticated fetch (session cookie + CSRF header), header bar,
// Chinese labels. No framework, no CDN.
"use strict";

const API = "/api/v1";

// Chinese labels, filled by initPage from GET /labels: the CRM's complaint categories,
// statuses and roles, and the intents' names (data/intent_labels.yml).
let INTENT_LABELS = {};
let ROLE_LABELS = {};
let STATUSES = [];
let CATEGORIES = [];
const CHANNEL_LABELS = { web: "网页", app: "手机银行APP", rest: "接口" };

function label(map, key) { return map[key] || key; }

// 「查流水（query_transactions）」, 「常见问题 · card_activation」 (trainer pages)
function intentLabel(name) {
  if (!name) return "—";
  if (name.startsWith("faq/")) return `常见问题 · ${name.slice(4)}`;
  return INTENT_LABELS[name] ? `${INTENT_LABELS[name]}（${name}）` : name;
}

async function api(path, options = {}) {
  const headers = Object.assign({ "X-Requested-With": "fetch" }, options.headers || {});
  if (options.body && typeof options.body !== "string") {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.body);
  }
  const response = await fetch(API + path, Object.assign({}, options, {
    headers, credentials: "same-origin" }));
  if (response.status === 401 && !path.startsWith("/staff/login")) {
    location.href = "index.html?next=" + encodeURIComponent(location.pathname + location.search);
    throw new Error("not authenticated");
  }
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) {
    const error = new Error((body && body.detail) || response.statusText);
    error.code = body && body.code;
    throw error;
  }
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  // Shown in Beijing time whatever the browser's zone (the API sends +08:00).
  const bj = new Date(d.getTime() + (8 * 60 + d.getTimezoneOffset()) * 60000);
  return `${bj.getFullYear()}-${pad(bj.getMonth() + 1)}-${pad(bj.getDate())} ${pad(bj.getHours())}:${pad(bj.getMinutes())}`;
}

function isoDay(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

async function initPage(active) {
  const [me, labels] = await Promise.all([api("/staff/me"), api("/labels")]);
  INTENT_LABELS = labels.intents;
  ROLE_LABELS = labels.roles;
  STATUSES = labels.complaint_statuses;
  CATEGORIES = labels.complaint_categories;
  const nav = [];
  if (me.role !== "agent") nav.push(["dashboard.html", "管理看板", "dashboard"]);
  if (me.role !== "trainer") nav.push(["complaints.html", "投诉处理", "complaints"]);
  if (me.role !== "trainer") nav.push(["handoff.html", "人工会话", "handoff"]);
  if (me.role === "trainer") {
    nav.push(["inbox.html", "NLU 收件箱", "inbox"]);
    nav.push(["review.html", "对话复盘", "review"]);
    nav.push(["training.html", "模型训练", "training"]);
  }
  const header = el("header", { class: "top" },
    el("h1", {}, "智能客服 · 员工工作台"),
    el("nav", {}, nav.map(([href, text, key]) =>
      el("a", { href, class: key === active ? "active" : "" }, text))),
    el("div", { class: "who" },
      el("span", { id: "who" }, `${me.display_name}（${label(ROLE_LABELS, me.role)} · ${me.branch}）`),
      el("button", { id: "logout", onclick: async () => {
        await api("/staff/logout", { method: "POST" });
        location.href = "index.html";
      } }, "退出")));
  document.body.prepend(header);
  return me;
}

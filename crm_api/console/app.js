// Shared console helpers: authenticated fetch (session cookie + CSRF header), header bar,
// Chinese labels. No framework, no CDN.
"use strict";

const API = "/api/v1";

const INTENT_LABELS = {
  check_balance: "查余额", query_transactions: "查流水", query_credit_card: "信用卡账单",
  report_card_loss: "挂失", report_fraud: "防诈骗", faq: "常见问题", complain: "投诉",
  query_complaint_status: "投诉进度", request_human: "转人工", ask_product_recommendation: "产品推荐",
  ask_product_info: "产品咨询", ask_interest_rate: "利率", ask_loan: "贷款", risk_assessment: "风险测评",
  greet: "问候", goodbye: "道别", thank: "感谢", affirm: "肯定/确认", deny: "否定/取消",
  bot_challenge: "问是不是机器人", out_of_scope: "超出业务范围", inform: "提供信息",
  give_rating: "评价打分", nlu_fallback: "未识别",
};
const CHANNEL_LABELS = { web: "网页", app: "手机银行APP", rest: "接口" };
const ROLE_LABELS = { agent: "坐席", supervisor: "主管", trainer: "训练师" };
const STATUSES = ["已受理", "处理中", "已解决", "已关闭"];
const CATEGORIES = ["服务态度", "收费", "系统故障", "业务办理", "产品", "其他"];

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
  const me = await api("/staff/me");
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

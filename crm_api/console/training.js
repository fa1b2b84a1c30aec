"use strict";

// 模型训练: the serving model, "重新训练并加载" and the progress of the current run.
const $ = (id) => document.getElementById(id);
const POLL_MS = 1500;
let pollTimer = null;

function fmtSize(bytes) {
  if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
  if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
  return bytes + " B";
}

function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return Math.round(seconds) + " 秒";
  return `${Math.floor(seconds / 60)} 分 ${Math.round(seconds % 60)} 秒`;
}

function renderModel(m) {
  const facts = el("dl", { class: "facts" });
  const add = (term, value) => facts.append(el("dt", {}, term), el("dd", {}, value));
  if (m.serving) {
    add("模型文件", m.serving.model_file);
    add("模型编号", el("code", {}, (m.serving.model_id || "—").slice(0, 12)));
  } else {
    add("服务状态", el("span", { class: "error" }, m.rasa_error || "未知"));
  }
  if (m.archive) {
    const trained = fmtTime(m.archive.trained_at) + "（北京时间）"
      + (m.archive.trained_at_source === "file_mtime" ? "，按文件修改时间" : "");
    add(m.serving && m.archive_is_serving ? "训练时间" : "磁盘模型训练时间", trained);
    add("文件大小", fmtSize(m.archive.size_bytes));
  }
  add("数据最后修改", fmtTime(m.inputs_changed_at));
  const notes = m.advice.length
    ? m.advice.map((text) => el("div", { class: "warn-box" }, "⚠ " + text))
    : [el("div", { class: "ok-box" }, "✓ 模型与训练数据一致，无需重新训练")];
  $("model").replaceChildren(facts, ...notes);
}

function renderRun(run) {
  $("run").hidden = false;
  $("run-title").textContent = `第 ${run.id} 次训练 · ${run.requested_by_name || "—"} 于 ${fmtTime(run.started_at)} 发起`;
  $("run-stage").textContent = run.stage_label;
  $("run-stage").className = "badge g-" + run.stage;
  $("run-fill").style.width = run.progress + "%";
  $("run-fill").className = "progress-fill" + (run.stage === "done" ? " done" : run.stage === "failed" ? " failed" : "");
  $("run-bar").setAttribute("aria-valuenow", run.progress);
  $("run-step").textContent = run.step || "";
  $("run-percent").textContent = run.progress + "%";
  $("run-error").textContent = run.error || "";
  $("log-card").hidden = !run.log_tail;
  const log = $("log");
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
  log.textContent = run.log_tail;
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function renderRuns(runs) {
  $("runs").replaceChildren(...(runs.length ? runs.map((r) => el("tr", { class: "link", onclick: () => showRun(r.id) },
    el("td", {}, "#" + r.id),
    el("td", {}, r.requested_by_name || "—"),
    el("td", {}, fmtTime(r.started_at)),
    el("td", {}, r.status === "running" ? "进行中" : fmtDuration(r.duration_seconds)),
    el("td", {}, el("span", { class: "badge r-" + r.status }, r.status === "running" ? r.stage_label : r.status_label)),
    el("td", {}, r.progress + "%"),
    el("td", {}, r.error || (r.status === "succeeded" ? "新模型已上线" : r.step || "")))) :
    [el("tr", {}, el("td", { colspan: 7, class: "empty" }, "还没有从工作台发起过训练"))]));
}

async function refreshRuns() {
  const runs = await api("/trainer/training-runs?limit=10");
  renderRuns(runs);
  return runs;
}

async function refresh() {
  const [model, runs] = await Promise.all([api("/trainer/model"), refreshRuns()]);
  renderModel(model);
  const running = runs.find((r) => r.status === "running");
  $("start").disabled = Boolean(running);
  $("start").textContent = running ? "训练进行中…" : "重新训练并加载";
  return { runs, running };
}

async function showRun(id) {
  const run = await api(`/trainer/training-runs/${id}`);
  renderRun(run);
  return run;
}

async function poll(id) {
  clearTimeout(pollTimer);
  try {
    const [run] = await Promise.all([showRun(id), refreshRuns()]);
    if (run.status === "running") {
      pollTimer = setTimeout(() => poll(id), POLL_MS);
      return;
    }
    await refresh();
  } catch (error) {
    $("run-error").textContent = "读取进度失败：" + error.message + "，稍后自动重试";
    pollTimer = setTimeout(() => poll(id), POLL_MS * 3);
  }
}

async function start() {
  if (!confirm("确定用当前的训练数据重新训练，并让机器人换用新模型吗？\n\n训练期间机器人照常服务；新模型加载成功后立即对所有客户生效。")) return;
  $("start-error").textContent = "";
  $("start").disabled = true;
  try {
    const run = await api("/trainer/training-runs", { method: "POST" });
    renderRun(run);
    await refresh();
    poll(run.id);
  } catch (error) {
    $("start-error").textContent = error.message.split(" / ")[0];
    await refresh();
  }
}

(async () => {
  const me = await initPage("training");
  if (me.role !== "trainer") {
    document.querySelector("main").replaceChildren(el("p", { class: "empty" }, "模型训练仅对训练师开放"));
    return;
  }
  $("start").addEventListener("click", start);
  const { runs, running } = await refresh();
  if (running) poll(running.id);
  else if (runs.length) await showRun(runs[0].id);
  document.body.dataset.loaded = "true";
})();

// 智能客服 web chat: talks to the webchat channel under the page's own path
// (POST session, GET history, POST messages; a WebSocket "ws" for what is pushed: a human
// agent's messages and typing, the queue position, the bot resuming). Message text is only
// ever inserted with textContent, never as HTML.
(function () {
  "use strict";

  var STORAGE_KEY = "bank-webchat.session";
  var MAX_CHARS = 1000;
  var GREETING =
    "您好，我是智能银行的智能客服，很高兴为您服务！\n" +
    "您可以直接输入问题，或点击下方的常用功能：查余额、查流水、信用卡账单、卡片挂失。";
  var base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";

  var listEl = document.getElementById("messages");
  var scroller = document.getElementById("scroller");
  var typingEl = document.getElementById("typing");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var sendBtn = document.getElementById("send");
  var counter = document.getElementById("counter");
  var restartLink = document.getElementById("restart");
  var bannerEl = document.getElementById("handoff");
  var typingAvatar = typingEl.querySelector(".avatar");

  var sessionToken = null;
  var appToken = takeAppTokenFromUrl();
  var busy = false;
  var starting = null;
  var socket = null;
  var socketRetry = 0;
  var socketToken = null;
  var typingSentAt = 0;
  var typingTimer = null;
  var handoff = { active: false, agent: null };

  // ---- helpers -------------------------------------------------------------------

  function takeAppTokenFromUrl() {
    // demo helper: ?app_token=... starts an app session; the token is removed from the
    // address bar at once so it is not bookmarked or shared
    var params = new URLSearchParams(location.search);
    var token = params.get("app_token");
    if (token) {
      params.delete("app_token");
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
    return token;
  }

  function storedToken() {
    try { return localStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
  }
  function storeToken(token) {
    try {
      if (token) localStorage.setItem(STORAGE_KEY, token); else localStorage.removeItem(STORAGE_KEY);
    } catch (e) { /* private mode: the conversation simply does not survive a reload */ }
  }

  function formatTime(date) {
    var h = String(date.getHours()).padStart(2, "0");
    var m = String(date.getMinutes()).padStart(2, "0");
    var today = new Date();
    if (date.toDateString() === today.toDateString()) return h + ":" + m;
    return (date.getMonth() + 1) + "月" + date.getDate() + "日 " + h + ":" + m;
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function ApiError(status, code, detail) {
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  function api(method, path, body, bearer) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (bearer) headers["Authorization"] = "Bearer " + bearer;
    return fetch(base + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store"
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw new ApiError(res.status, data.code || "http_" + res.status, data.detail);
        return data;
      });
    }, function () {
      throw new ApiError(0, "network_error", null);
    });
  }

  function politeError(err) {
    if (err && err.code === "network_error") return "网络连接异常，请检查网络后重试。";
    if (err && err.detail) return String(err.detail).split(" / ")[0];
    return "抱歉，系统暂时无法回复，请稍后再试。";
  }

  // ---- rendering -----------------------------------------------------------------

  function addMessage(from, text, opts) {
    opts = opts || {};
    var li = document.createElement("li");
    li.className = "msg msg--" + from + (opts.error ? " msg--error msg--bot" : "");

    if (from === "agent") li.className = "msg msg--bot msg--agent";
    var avatar = document.createElement("span");
    avatar.className = "avatar avatar--" + (from === "user" ? "user" : from === "agent" ? "agent" : "bot");
    avatar.setAttribute("aria-hidden", "true");
    avatar.textContent = from === "user" ? "我" : from === "agent" ? "人" : "智";

    var content = document.createElement("div");
    content.className = "msg__content";

    var speaker = document.createElement("span");
    speaker.className = "visually-hidden";
    speaker.textContent = from === "user" ? "我说：" : from === "agent" ? "人工客服说：" : "客服说：";
    content.appendChild(speaker);

    if (from === "agent") {
      var name = document.createElement("span");
      name.className = "msg__name";
      name.textContent = "人工客服 " + (opts.agent || "");
      content.appendChild(name);
    }

    if (text) {
      var bubble = document.createElement("div");
      bubble.className = "bubble";
      bubble.textContent = text; // text only, never parsed as HTML
      content.appendChild(bubble);
    }

    if (opts.buttons && opts.buttons.length) {
      var group = document.createElement("div");
      group.className = "msg__buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "可选回复");
      opts.buttons.forEach(function (b) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.textContent = b.title || b.payload;
        chip.disabled = !!opts.disableButtons;
        chip.addEventListener("click", function () {
          if (busy) return;
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          send(b.payload || b.title, b.title || b.payload);
        });
        group.appendChild(chip);
      });
      content.appendChild(group);
    }

    var time = document.createElement("time");
    var when = opts.ts ? new Date(opts.ts) : new Date();
    if (isNaN(when.getTime())) when = new Date();
    time.className = "msg__time";
    time.dateTime = when.toISOString();
    time.textContent = formatTime(when);
    content.appendChild(time);

    li.appendChild(avatar);
    li.appendChild(content);
    listEl.appendChild(li);
    scrollToEnd();
    return li;
  }

  function addBotMessages(messages, disableButtons) {
    (messages || []).forEach(function (m) {
      if (!m.text && !(m.buttons && m.buttons.length)) return;
      addMessage("bot", m.text, { buttons: m.buttons, ts: m.ts, disableButtons: disableButtons });
    });
  }

  function showError(err) {
    addMessage("bot", politeError(err), { error: true });
  }

  function setBusy(value) {
    busy = value;
    typingEl.hidden = !value;
    updateSendState();
    if (value) scrollToEnd();
  }

  function updateSendState() {
    var length = input.value.trim().length;
    sendBtn.disabled = busy || length === 0 || length > MAX_CHARS;
    if (input.value.length >= MAX_CHARS * 0.8) {
      counter.textContent = input.value.length + " / " + MAX_CHARS;
      counter.classList.toggle("composer__counter--over", input.value.length >= MAX_CHARS);
    } else {
      counter.textContent = "";
    }
  }

  function autoGrow() {
    // an empty field is sized for its placeholder, which wraps to two lines on a phone
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }

  // ---- session -------------------------------------------------------------------

  function startSession(previous) {
    var body = previous ? { session_token: previous } : {};
    return api("POST", "session", body, appToken).then(function (data) {
      sessionToken = data.session_token;
      storeToken(sessionToken);
      return data;
    });
  }

  function ensureSession() {
    if (sessionToken) return Promise.resolve();
    if (!starting) {
      starting = startSession(null).finally(function () { starting = null; });
    }
    return starting;
  }

  function loadHistory() {
    return api("GET", "history", undefined, sessionToken).then(function (data) {
      var messages = data.messages || [];
      messages.forEach(function (m, i) {
        if (m.from === "user") {
          addMessage("user", m.text, { ts: m.ts });
        } else if (m.from === "agent") {
          addMessage("agent", m.text, { ts: m.ts, agent: m.agent });
        } else {
          // only the newest bot message keeps clickable buttons
          var later = messages.slice(i + 1).some(function (x) { return x.from === "user"; });
          addMessage("bot", m.text, { buttons: m.buttons, ts: m.ts, disableButtons: later });
        }
      });
      setHandoff(data.handoff);
    });
  }

  // ---- human handoff: pushed messages over a WebSocket ---------------------------

  function setHandoff(state) {
    handoff = state && state.active ? { active: true, agent: state.agent || null } : { active: false, agent: null };
    if (!handoff.active) {
      bannerEl.hidden = true;
      return;
    }
    bannerEl.hidden = false;
    if (handoff.agent) bannerEl.textContent = "人工客服 " + handoff.agent + " 正在为您服务";
    else if (!bannerEl.textContent || bannerEl.textContent.indexOf("人工客服 ") === 0) {
      bannerEl.textContent = "正在为您转接人工客服，请稍候…";
    }
  }

  function showQueue(position, minutes) {
    if (!handoff.active || handoff.agent) return;
    bannerEl.hidden = false;
    bannerEl.textContent = "排队中：您前面还有 " + Math.max(0, (position || 1) - 1) + " 位，预计等待约 " + (minutes || 1) + " 分钟";
  }

  function showAgentTyping(name) {
    typingAvatar.textContent = "人";
    typingEl.hidden = false;
    scrollToEnd();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      typingEl.hidden = !busy;
      typingAvatar.textContent = "智";
    }, 4000);
  }

  function onPush(event) {
    if (event.type === "message" && event.from === "agent") {
      clearTimeout(typingTimer);
      typingEl.hidden = !busy;
      typingAvatar.textContent = "智";
      setHandoff({ active: true, agent: event.agent });
      addMessage("agent", event.text, { ts: event.ts, agent: event.agent });
    } else if (event.type === "typing" && event.from === "agent" && event.typing) {
      showAgentTyping(event.agent);
    } else if (event.type === "queue") {
      showQueue(event.position, event.expected_wait_minutes);
    } else if (event.type === "handoff" && event.state === "ended") {
      setHandoff(null);
      addBotMessages(event.messages);
    }
  }

  function connectSocket() {
    if (!sessionToken || !("WebSocket" in window)) return;
    if (socket && socketToken === sessionToken && socket.readyState <= 1) return;
    if (socket) { socket.onclose = null; socket.close(); }
    socketToken = sessionToken;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + base + "ws?token=" + encodeURIComponent(sessionToken));
    socket = ws;
    ws.onopen = function () { socketRetry = 0; };
    ws.onmessage = function (message) {
      try { onPush(JSON.parse(message.data)); } catch (e) { /* ignore malformed pushes */ }
    };
    ws.onclose = function (event) {
      if (socket !== ws || event.code === 4401) return;
      socketRetry = Math.min(socketRetry + 1, 5);
      setTimeout(function () {
        if (socket !== ws) return;
        socket = null;
        // catch up on whatever was pushed while the connection was down
        if (handoff.active) reloadHistory();
        connectSocket();
      }, 500 * Math.pow(2, socketRetry));
    };
  }

  function reloadHistory() {
    listEl.textContent = "";
    addMessage("bot", GREETING);
    return loadHistory().catch(showError);
  }

  function sendTyping() {
    if (!handoff.active || !socket || socket.readyState !== 1) return;
    var now = Date.now();
    if (now - typingSentAt < 2000) return;
    typingSentAt = now;
    socket.send(JSON.stringify({ type: "typing" }));
  }

  function boot() {
    listEl.textContent = "";
    addMessage("bot", GREETING);
    var previous = storedToken();
    startSession(previous)
      .catch(function (err) {
        // a stale app identity: fall back to a fresh anonymous conversation
        if (err.code === "invalid_app_token" && previous && !appToken) {
          storeToken(null);
          showError(err);
          return startSession(null);
        }
        throw err;
      })
      .then(function (data) {
        connectSocket();
        if (data.resumed) return loadHistory();
      })
      .catch(showError);
  }

  function send(text, shownAs) {
    text = (text || "").trim();
    if (!text || busy) return;
    if (text.length > MAX_CHARS) {
      showError({ detail: "您的消息太长了，请精简到1000字以内再发送" });
      return;
    }
    addMessage("user", shownAs || text);
    setBusy(true);
    ensureSession()
      .then(function () { connectSocket(); return postMessage(text, true); })
      .then(function (data) {
        addBotMessages(data.messages);
        if (data.handoff) setHandoff(data.handoff);
      })
      .catch(showError)
      .finally(function () { setBusy(false); });
  }

  function postMessage(text, mayRetry) {
    return api("POST", "messages", { text: text }, sessionToken).catch(function (err) {
      if (mayRetry && err.code === "invalid_session") {
        sessionToken = null;
        storeToken(null);
        return startSession(null).then(function () { return postMessage(text, false); });
      }
      throw err;
    });
  }

  // ---- wiring --------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    autoGrow();
    updateSendState();
    send(text);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  input.addEventListener("input", function () { autoGrow(); updateSendState(); sendTyping(); });

  Array.prototype.forEach.call(document.querySelectorAll(".quick .chip"), function (chip) {
    chip.addEventListener("click", function () { send(chip.getAttribute("data-text")); });
  });

  restartLink.addEventListener("click", function (event) {
    event.preventDefault();
    storeToken(null);
    sessionToken = null; // an app user (appToken kept in memory) restarts as the same customer
    setHandoff(null);
    bannerEl.textContent = "";
    boot();
    input.focus();
  });

  updateSendState();
  autoGrow();
  window.addEventListener("resize", autoGrow);
  boot();
})();

"use strict";
document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("error");
  error.textContent = "";
  try {
    const result = await api("/staff/login", { method: "POST", body: {
      username: document.getElementById("username").value,
      password: document.getElementById("password").value } });
    const next = new URLSearchParams(location.search).get("next");
    const home = { agent: "complaints.html", trainer: "inbox.html" }[result.staff.role] || "dashboard.html";
    // only same-console paths, never an open redirect
    location.href = next && next.startsWith("/console/") ? next : home;
  } catch (e) {
    error.textContent = e.code === "staff_locked" ? "密码错误次数过多，请稍后再试"
      : e.code === "default_password_refused" ? "生产环境不能使用演示默认密码，请联系管理员重置"
      : "用户名或密码错误";
  }
});

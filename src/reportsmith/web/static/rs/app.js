// reportsmith workspace: behaviour without inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    if (m) return m.getAttribute("content");
    var c = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return c ? decodeURIComponent(c[1]) : "";
  }

  // Every htmx request carries Django's CSRF token.
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // The heading editor: autosave through PUT /api/clusters/<账号>/sections/<标题> with the
  // version the text is based on; a stale version answers 409 and both texts are shown.
  function setupEditor() {
    var form = document.getElementById("editor-form");
    var editor = document.getElementById("editor");
    var button = document.getElementById("save-button");
    if (!form || !editor || !button) return;
    var status = document.getElementById("save-status");
    var url = form.getAttribute("data-put-url");
    var version = parseInt(form.getAttribute("data-version"), 10) || 0;
    var saved = editor.value;
    var timer = null;
    var busy = false;

    function show(text, cls) {
      status.textContent = text;
      status.className = cls || "muted";
    }

    function save() {
      if (busy) return;
      if (editor.value === saved) { show("已保存（第 " + version + " 版）"); return; }
      busy = true;
      var text = editor.value;
      show("正在保存……");
      fetch(url, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ text: text, version: version })
      }).then(function (r) {
        return r.json().then(function (body) { return { status: r.status, body: body }; });
      }).then(function (res) {
        busy = false;
        if (res.status === 200) {
          version = res.body.version;
          saved = text;
          form.setAttribute("data-version", String(version));
          var now = new Date();
          show("已保存（第 " + version + " 版，" + now.toTimeString().slice(0, 5) + "）", "ok");
          if (editor.value !== saved) schedule();
        } else if (res.status === 409 && res.body.current) {
          showConflict(res.body.current, text);
        } else {
          show("未保存：" + (res.body.error || ("错误 " + res.status)), "bad");
        }
      }).catch(function () {
        busy = false;
        show("未保存：无法连接服务器，稍后自动重试。", "bad");
        schedule();
      });
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 2000);
    }

    function showConflict(current, mine) {
      if (timer) clearTimeout(timer);
      var box = document.getElementById("conflict");
      document.getElementById("conflict-theirs").value = current.text;
      document.getElementById("conflict-mine").value = mine;
      document.getElementById("conflict-version").textContent = String(current.version);
      box.hidden = false;
      box.setAttribute("data-version", String(current.version));
      box.scrollIntoView({ block: "start" });
      show("未保存：与已保存的版本冲突，请在下方选择。", "bad");
    }

    document.getElementById("take-theirs").addEventListener("click", function () {
      var box = document.getElementById("conflict");
      editor.value = document.getElementById("conflict-theirs").value;
      version = parseInt(box.getAttribute("data-version"), 10);
      saved = editor.value;
      box.hidden = true;
      show("已采用已保存的版本（第 " + version + " 版）", "ok");
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    });
    document.getElementById("keep-mine").addEventListener("click", function () {
      var box = document.getElementById("conflict");
      editor.value = document.getElementById("conflict-mine").value;
      version = parseInt(box.getAttribute("data-version"), 10);
      box.hidden = true;
      save();
    });

    editor.addEventListener("input", function () {
      show("有未保存的修改", "warn");
      schedule();
    });
    button.addEventListener("click", function () { if (timer) clearTimeout(timer); save(); });
    window.addEventListener("beforeunload", function (e) {
      if (editor.value !== saved) { e.preventDefault(); e.returnValue = ""; }
    });
  }

  document.addEventListener("DOMContentLoaded", setupEditor);
  window.reportsmith = { csrfToken: csrfToken };
})();

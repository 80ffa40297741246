// reportsmith workspace: behaviour without inline scripts (the Content-Security-Policy forbids them).
// htmx requests carry the CSRF token from the <meta name="csrf-token"> tag or the cookie.
(function () {
  "use strict";
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    if (m) return m.getAttribute("content");
    var c = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return c ? decodeURIComponent(c[1]) : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRFToken"] = csrfToken();
  });
  window.reportsmith = { csrfToken: csrfToken };
})();

// The Descope emulator console: keeps the outbox current, copies codes and links, asks
// before destructive actions. Served by the emulator; no framework, no network beyond it.
"use strict";
(function () {
  function wire(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-copy");
        if (navigator.clipboard) {
          navigator.clipboard.writeText(text).then(function () {
            button.textContent = "Copied";
            setTimeout(function () { button.textContent = "Copy"; }, 1500);
          });
        }
      });
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  wire(document);
  var rows = document.getElementById("outbox-rows");
  if (!rows) {
    return;
  }
  var status = document.getElementById("live-status");
  var last = null;
  function poll() {
    fetch(rows.getAttribute("data-src"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (html !== last) {
          rows.innerHTML = html;
          last = html;
          wire(rows);
        }
        if (status) { status.textContent = "Live: updated every second."; }
      })
      .catch(function () {
        if (status) { status.textContent = "Not updating: the emulator does not answer."; }
      })
      .finally(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
})();

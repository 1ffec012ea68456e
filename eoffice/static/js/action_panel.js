// The document's action panel: an irreversible step (form[data-confirm]) asks first in the
// native <dialog>; "Hủy" leaves the page as it was, "Xác nhận" sends the form.
// Loaded as a file: the CSP forbids inline script and handlers.
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var text = dialog.querySelector("[data-confirm-text]");
  var pending = null;  // { form, submitter } waiting for the answer

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.confirmed === "1") { return; }  // answered: let it go
      event.preventDefault();
      pending = { form: form, submitter: event.submitter || null };
      text.textContent = form.dataset.confirm;
      dialog.showModal();
      dialog.querySelector("[data-confirm-cancel]").focus();  // the safe choice first
    });
  });

  dialog.addEventListener("close", function () {
    var answer = dialog.returnValue;
    var waiting = pending;
    pending = null;
    dialog.returnValue = "";
    if (!waiting || answer !== "ok") { return; }
    waiting.form.dataset.confirmed = "1";
    // Double submission guard: the button stays pressed until the next page.
    if (waiting.submitter) { waiting.form.requestSubmit(waiting.submitter); }
    else { waiting.form.requestSubmit(); }
    waiting.form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  });
}());

// Answering a meeting invitation (Xác nhận tham dự): the reason box is shown only for
// "Không tham dự" (and then required, as the server requires it) and the deputy picker only
// for "Cử người dự thay", so a tablet user sees just what the chosen answer needs. Kept in a
// file because the CSP forbids inline script; without it every field simply stays visible.
(function () {
  "use strict";

  function update(form) {
    var checked = form.querySelector("input[name='answer']:checked");
    var answer = checked ? checked.value : "";
    form.querySelectorAll("[data-rsvp-when]").forEach(function (block) {
      var relevant = block.dataset.rsvpWhen === answer;
      block.hidden = !relevant;
      // A hidden field is not posted (a reason typed, then another answer chosen, is dropped).
      block.querySelectorAll("input, select, textarea").forEach(function (control) {
        control.disabled = !relevant;
        if (control.name === "reason") { control.required = relevant; }
      });
    });
  }

  document.querySelectorAll("form[data-rsvp]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "answer") { update(form); }
    });
    update(form);
  });
}());

// Documents: batch signing with live progress (over the page-wide /notify socket).
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  // The shared /notify connection (and its "work" toasts) comes from notify.js on every page.
  var socket = window.eofficeNotify || null;

  var form = document.getElementById("batch-form");
  if (!form) { return; }
  var bar = document.getElementById("batch-progress");
  var status = document.getElementById("batch-status");

  function show(result) {
    var row = form.querySelector('tr[data-id="' + result.document_id + '"] .outcome');
    if (row) {
      row.textContent = result.message;
      row.className = "outcome " + (result.ok ? "ok" : "failed");
    }
  }

  if (socket) {
    socket.on("batch_progress", function (data) {
      bar.max = data.total;
      bar.value = data.done;
      status.textContent = "Đã xử lý " + data.done + "/" + data.total;
      show(data);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var ids = Array.prototype.map.call(
      form.querySelectorAll('input[name="document_id"]:checked'), function (box) { return Number(box.value); });
    var pin = document.getElementById("batch-pin").value;
    bar.max = ids.length;
    bar.value = 0;
    status.textContent = "Đang ký...";
    fetch("/api/v1/documents/batch-sign", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf.content },
      body: JSON.stringify({ document_ids: ids, pin: pin }),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (reply) {
      if (reply.status !== 200) {
        status.textContent = reply.body.message || "Không ký được.";
        return;
      }
      reply.body.results.forEach(show);
      bar.value = bar.max;
      status.textContent = "Hoàn tất: " + reply.body.signed + " đã ký, " + reply.body.failed + " lỗi.";
    }).catch(function () { status.textContent = "Mất kết nối; hãy thử lại."; });
  });
}());

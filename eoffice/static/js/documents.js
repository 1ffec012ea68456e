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

  var current = null;  // the job of the batch this page started

  function finished(body) {
    (body.results || []).forEach(show);
    bar.value = bar.max;
    status.textContent = "Hoàn tất: " + body.signed + " đã ký, " + body.failed + " lỗi.";
    current = null;
  }

  if (socket) {
    socket.on("batch_progress", function (data) {
      if (current !== null && data.job_id !== current) { return; }
      bar.max = data.total;
      bar.value = data.done;
      status.textContent = "Đã xử lý " + data.done + "/" + data.total;
      show(data);
    });
    socket.on("batch_done", function (data) {
      if (data.job_id === current) { finished(data); }
    });
  }

  // Without the socket (or if an event was missed) the job's state says how it went.
  function poll(jobId) {
    if (current !== jobId) { return; }
    fetch("/api/v1/jobs/" + jobId, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (current !== jobId) { return; }
        if (job.state === "done") { finished(job.result); return; }
        if (job.state === "failed") { status.textContent = job.message; current = null; return; }
        setTimeout(function () { poll(jobId); }, 2000);
      }).catch(function () { setTimeout(function () { poll(jobId); }, 4000); });
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
      if (reply.status !== 202) {
        status.textContent = reply.body.message || "Không ký được.";
        return;
      }
      // Accepted: the PIN was right; the documents are signed in the background.
      current = reply.body.id;
      status.textContent = "Đang ký (việc nền số " + current + ")...";
      setTimeout(function () { poll(current); }, 2000);
    }).catch(function () { status.textContent = "Mất kết nối; hãy thử lại."; });
  });
}());

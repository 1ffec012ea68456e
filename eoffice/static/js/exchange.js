// Exchange recipients on an outgoing document's page: the directory picker, and the table
// re-read (never rebuilt here) when the server says a recipient's status changed.
(function () {
  "use strict";

  function start() {
    var section = document.getElementById("exchange");
    if (!section || !section.dataset.documentId) { return; }
    var id = Number(section.dataset.documentId);
    var table = document.getElementById("exchange-table");

    function refresh() {
      fetch(section.dataset.fragment, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { table.innerHTML = html; } });
    }
    var socket = window.eofficeNotify || null;
    if (socket) {
      socket.on("exchange_status", function (data) {
        if (data && Number(data.document_id) === id) { refresh(); }
      });
      socket.on("connect", refresh);  // missed events while disconnected
    }

    var organ = document.getElementById("exchange-organ");
    var search = document.getElementById("exchange-search");
    var list = document.getElementById("exchange-directory");
    var name = document.getElementById("exchange-name");
    if (!organ || !list) { return; }
    var found = {};

    function entries(body) {
      if (Array.isArray(body)) { return body; }
      return body.items || body.organisations || body.entries || body.results || [];
    }
    function lookup(query) {
      var url = organ.dataset.directory + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (body) {
          list.innerHTML = "";
          entries(body).forEach(function (e) {
            found[e.organ_id] = e.name;
            var option = document.createElement("option");
            option.value = e.organ_id;
            option.label = e.name + (e.internal ? " (trong hệ thống)" : "");
            option.textContent = option.label;
            list.appendChild(option);
          });
        })
        .catch(function () { /* the organ id can still be typed */ });
    }
    var timer = null;
    function later(query) {
      clearTimeout(timer);
      timer = setTimeout(function () { lookup(query); }, 200);
    }
    if (search) { search.addEventListener("input", function () { later(search.value); }); }
    organ.addEventListener("input", function () {
      if (found[organ.value]) { name.value = found[organ.value]; } else { later(organ.value); }
    });
  }

  // Deferred like notify.js, which may come later in the page: the shared socket exists
  // once every deferred script ran, i.e. at DOMContentLoaded.
  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
}());

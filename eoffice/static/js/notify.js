// Live notifications on every page over the /notify namespace (the user's own room):
// - "notification": a stored notification (eoffice.notifications); the bell's unread count is
//   set from it and a toast names the document, meeting or task, linking to it;
// - "work": an older, unnamed "something new" push; shown only when no named notification
//   for the same page arrives right after it (they usually come together).
(function () {
  "use strict";
  if (!window.io) { return; }
  var socket = window.io("/notify", { transports: ["websocket", "polling"] });
  window.eofficeNotify = socket;
  var recentlyNamed = {};
  var waiting = {};

  function toast(text, url) {
    var box = document.createElement("div");
    box.className = "notify-toast";
    box.setAttribute("role", "status");
    // Styled here too: pages without documents.css (my work, tasks...) show it the same way.
    box.style.position = "fixed";
    box.style.right = "1rem";
    box.style.bottom = "1rem";
    box.style.zIndex = "1000";
    box.style.maxWidth = "28rem";
    var link = document.createElement("a");
    link.href = url || "/notifications/";
    link.textContent = text;
    box.appendChild(link);
    document.body.appendChild(box);
    setTimeout(function () { box.remove(); }, 8000);
  }

  function setCount(unread) {
    var bell = document.querySelector("[data-bell]");
    if (!bell) { return; }
    var count = bell.querySelector("[data-unread]");
    count.textContent = String(unread);
    count.hidden = !unread;
    bell.setAttribute("aria-label", "Thông báo, " + unread + " chưa đọc");
  }

  socket.on("notification", function (data) {
    setCount(data.unread);
    var key = data.url || "";
    recentlyNamed[key] = Date.now();
    if (waiting[key]) { clearTimeout(waiting[key]); delete waiting[key]; }
    toast(data.title, data.url);
  });

  socket.on("work", function (data) {
    var key = data.url || "";
    if (recentlyNamed[key] && Date.now() - recentlyNamed[key] < 5000) { return; }
    waiting[key] = setTimeout(function () {
      delete waiting[key];
      toast(data.title, data.url);
    }, 1500);
  });
}());

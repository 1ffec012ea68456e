// "New item in my work" pop-ups on every page (documents, tasks...): the /notify namespace
// pushes a "work" event to the signed-in user's own room; each becomes a toast linking to it.
(function () {
  "use strict";
  if (!window.io) { return; }
  var socket = window.io("/notify", { transports: ["websocket", "polling"] });
  window.eofficeNotify = socket;

  function toast(text, url) {
    var box = document.createElement("div");
    box.className = "notify-toast";
    box.setAttribute("role", "status");
    // Styled here too: pages without documents.css (my work, tasks...) show it the same way.
    box.style.position = "fixed";
    box.style.right = "1rem";
    box.style.bottom = "1rem";
    box.style.zIndex = "1000";
    var link = document.createElement("a");
    link.href = url || "/my-work";
    link.textContent = text;
    box.appendChild(link);
    document.body.appendChild(box);
    setTimeout(function () { box.remove(); }, 8000);
  }

  socket.on("work", function (data) { toast(data.title, data.url); });
}());

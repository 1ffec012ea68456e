// Charts on the reports dashboard; the data comes from a JSON block on the page (no inline JS).
(function () {
  "use strict";
  var block = document.getElementById("report-data");
  if (!block || typeof Chart === "undefined") { return; }
  var data = JSON.parse(block.textContent);
  var monthly = document.getElementById("chart-monthly");
  if (monthly) {
    new Chart(monthly, {
      type: "bar",
      data: {
        labels: data.monthly.map(function (m) { return m.month; }),
        datasets: [
          { label: "Trong hạn", data: data.monthly.map(function (m) { return m.on_time; }), backgroundColor: "#1d7a3a" },
          { label: "Quá hạn", data: data.monthly.map(function (m) { return m.late; }), backgroundColor: "#b3171d" }
        ]
      },
      options: { responsive: true, animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  var people = document.getElementById("chart-people");
  if (people) {
    new Chart(people, {
      type: "bar",
      data: {
        labels: data.people,
        datasets: [
          { label: "Văn bản trong hạn", data: data.on_time, backgroundColor: "#1d7a3a" },
          { label: "Văn bản quá hạn", data: data.late, backgroundColor: "#b3171d" }
        ]
      },
      options: { indexAxis: "y", responsive: true, animation: false, scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } }
    });
  }
})();

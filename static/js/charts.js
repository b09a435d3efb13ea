// The app's charts (campaign page, statistics page, home page), drawn with the vendored
// Chart.js from data the page embeds with json_script (the Content Security Policy allows
// no inline script). Each <canvas data-chart="ID"> draws the JSON of the element ID:
// {labels, datasets, stacked?, percent?}. Every chart has a table of the same figures in a
// <details>, named by data-chart-table: open until the chart is drawn, closed after.
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var colours = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#6c757d"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    // Drawn already (the script included twice on one page): leave it.
    if (!source || window.Chart.getChart(canvas)) {
      return;
    }
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (dataset, index) {
      dataset.backgroundColor = colours[index % colours.length];
      dataset.borderColor = colours[index % colours.length];
    });
    var y = { beginAtZero: true, ticks: { precision: 0 }, stacked: !!data.stacked };
    if (data.percent) {
      y.max = 100;
      y.ticks = {
        callback: function (value) {
          return value + " %";
        },
      };
    }
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        animation: false,
        plugins: { legend: { display: data.datasets.length > 1 } },
        scales: { x: { stacked: !!data.stacked }, y: y },
      },
    });
    // Drawn: the table beside it becomes the "as a table" view, closed.
    var details = document.getElementById(canvas.getAttribute("data-chart-table") || "");
    if (chart && details) {
      details.open = false;
    }
  });
})();

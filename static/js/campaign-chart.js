// The campaign page's chart: interactions and responses per week, drawn with the vendored
// Chart.js from the data the page embeds with json_script (the Content Security Policy
// allows no inline script). The table under the chart shows the same figures.
(function () {
  "use strict";

  var canvas = document.getElementById("campaign-chart");
  var source = document.getElementById("campaign-chart-data");
  if (!canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = ["#0d6efd", "#198754"];
  data.datasets.forEach(function (dataset, index) {
    dataset.backgroundColor = colours[index % colours.length];
    dataset.borderColor = colours[index % colours.length];
  });
  var chart = new window.Chart(canvas, {
    type: "bar",
    data: data,
    options: {
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  // Drawn: the table under it becomes the "as a table" view, closed.
  var details = document.getElementById("campaign-weeks-details");
  if (chart && details) {
    details.open = false;
  }
})();

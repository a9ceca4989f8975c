// Draws a bar chart above each table marked data-chart, from the numbers in that table
// (the columns whose header carries data-series), so the table stays the source of truth
// and the page says the same without JavaScript. Chart.js is served locally.
import "../vendor/chart.js/chart.umd.min.js";

const palette = ["#1d70b8", "#00703c", "#28a197", "#f47738", "#d4351c", "#4c2c92", "#505a5f"];

for (const table of document.querySelectorAll("table[data-chart]")) {
  const headers = [...table.querySelectorAll("thead th")];
  const series = headers
    .map((th, index) => ({ th, index }))
    .filter(({ th }) => th.hasAttribute("data-series"));
  const rows = [...table.querySelectorAll("tbody tr")];
  if (!rows.length || !series.length) continue;
  const labels = rows.map((tr) => {
    const first = tr.children[0];
    return first.dataset.label || first.textContent.trim();
  });
  const datasets = series.map(({ th, index }, i) => ({
    label: th.textContent.trim(),
    backgroundColor: palette[i % palette.length],
    data: rows.map((tr) => Number(tr.children[index]?.textContent.trim()) || 0),
  }));
  const figure = document.createElement("div");
  figure.className = "igr-chart";
  figure.setAttribute("aria-hidden", "true");
  const canvas = document.createElement("canvas");
  figure.appendChild(canvas);
  (table.closest(".igr-table-scroll") || table).before(figure);
  new window.Chart(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: {
      responsive: true,
      animation: false,
      indexAxis: table.dataset.chart === "horizontal" ? "y" : "x",
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 } },
        y: { beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });
}

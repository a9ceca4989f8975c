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
  // On a phone a column chart's bars are a few pixels wide under rotated labels: there
  // the bars run across instead, each labelled with its row's number alone ("Rec. 2"
  // for "2. Let mayoral authorities…"), in a box tall enough for every bar.
  const narrow = window.matchMedia("(max-width: 40.0525em)").matches;
  const horizontal = narrow || table.dataset.chart === "horizontal";
  const shown = narrow ? labels.map((label) => shortLabel(label)) : labels;
  const figure = document.createElement("div");
  figure.className = "igr-chart";
  if (narrow) {
    figure.style.height = `${Math.max(200, rows.length * series.length * 16 + 90)}px`;
  }
  figure.setAttribute("aria-hidden", "true");
  const canvas = document.createElement("canvas");
  figure.appendChild(canvas);
  (table.closest(".igr-table-scroll") || table).before(figure);
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: shown, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: !narrow,
      animation: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { position: narrow ? "bottom" : "top" } },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 } },
        y: { beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });
}

function shortLabel(label) {
  const number = /^(\d+)\./.exec(label);
  return number ? `Rec. ${number[1]}` : label.length > 18 ? `${label.slice(0, 17)}…` : label;
}

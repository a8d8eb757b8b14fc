// Progressive enhancement for /spend/: a chart drawn from the figures of a table marked
// data-chart, placed above it. The table stays: it is the accessible version, and without
// JavaScript (or Chart.js) the page is the same without charts.
const COLOURS = ["#1d70b8", "#00703c", "#d4351c", "#505a5f"];

function rows(table) {
  return Array.from(table.tBodies[0].rows);
}

function value(cell) {
  const text = cell?.dataset.value;
  return text === undefined || text === "" ? null : Number(text);
}

// The chart goes above the table's scrolling region (where there is one), in a box of fixed
// height (.charter-chart) that the chart fills, so it stays readable on a narrow screen.
function canvasBefore(table) {
  const caption = table.caption ? table.caption.textContent.trim() : "Chart";
  const wrapper = document.createElement("div");
  wrapper.className = "charter-chart";
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${caption}: a chart of the figures in the table below`);
  wrapper.append(canvas);
  (table.closest(".charter-table-scroll") ?? table).before(wrapper);
  return canvas;
}

const percentAxis = {
  beginAtZero: true,
  max: 100,
  ticks: { callback: (tick) => `${tick}%` },
};

const charts = {
  // Share of spending by where suppliers are: one bar each.
  localities(table, Chart) {
    const shown = rows(table).filter((row) => value(row.cells[2]) !== null);
    return new Chart(canvasBefore(table), {
      type: "bar",
      data: {
        labels: shown.map((row) => row.cells[0].textContent.trim()),
        datasets: [
          {
            label: "Share of spending (%)",
            data: shown.map((row) => value(row.cells[2])),
            backgroundColor: COLOURS,
          },
        ],
      },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: percentAxis },
      },
    });
  },
  // Share of spending in the borough and the county, quarter by quarter. The two lines differ
  // in dash and marker as well as colour (WCAG 1.4.1), and the legend shows the markers.
  quarters(table, Chart) {
    const all = rows(table);
    const series = (column, label, colour, dash, marker) => ({
      label,
      data: all.map((row) => value(row.cells[column])),
      borderColor: colour,
      backgroundColor: colour,
      borderDash: dash,
      pointStyle: marker,
      pointRadius: 4,
    });
    return new Chart(canvasBefore(table), {
      type: "line",
      data: {
        labels: all.map((row) => row.cells[0].textContent.trim()),
        datasets: [
          series(2, "In the borough (%)", COLOURS[0], [], "circle"),
          series(3, "In the county, the borough included (%)", COLOURS[1], [6, 4], "rect"),
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { labels: { usePointStyle: true } } },
        scales: { y: percentAxis },
      },
    });
  },
};

const Chart = window.Chart;
if (Chart) {
  Chart.defaults.font.family = "arial, sans-serif";
  Chart.defaults.color = "#0b0c0c";
  for (const table of document.querySelectorAll("table[data-chart]")) {
    const draw = charts[table.dataset.chart];
    if (draw && table.tBodies.length) {
      draw(table, Chart);
    }
  }
}

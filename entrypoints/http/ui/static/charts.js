// Charts: Chart.js (and its box-plot plugin) drawing figures exactly as the API states them.
// Each chart is a <canvas role="img"> labelled by its text summary; a table of the same figures
// sits beside it (see table() in console.js).

const drawn = new Map();
let firstChartMarked = false;

/** The page's colours (light or dark scheme), read from the stylesheet's variables. */
export function palette() {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    text: read("--text"), muted: read("--muted"), grid: read("--chart-grid"),
    series: [read("--chart-1"), read("--chart-2"), read("--chart-3")],
  };
}

/** Draws (or redraws in place) the chart of `canvasId` and labels it with `summary`. */
export function draw(canvasId, summary, config) {
  const canvas = document.getElementById(canvasId);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", summary);
  const colors = palette();
  const Chart = window.Chart;
  Chart.defaults.color = colors.text;
  Chart.defaults.borderColor = colors.grid;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  const previous = drawn.get(canvasId);
  if (previous) {
    previous.data = config.data;
    previous.options = config.options;
    previous.update("none");
  } else {
    config.options = { responsive: true, maintainAspectRatio: false, animation: false,
                       ...config.options };
    drawn.set(canvasId, new Chart(canvas, config));
  }
  if (!firstChartMarked) {
    firstChartMarked = true;
    performance.mark("first-chart");
  }
}

/** Axis options: a titled axis from `min` to `max` (null for automatic); `counts` ticks only
 *  whole numbers. */
export function axis(title, { min = null, max = null, stacked = false, counts = false } = {}) {
  const colors = palette();
  return {
    title: { display: true, text: title, color: colors.muted },
    ...(min === null ? {} : { min }), ...(max === null ? {} : { max }),
    stacked, ticks: { color: colors.text, ...(counts ? { precision: 0 } : {}) },
    grid: { color: colors.grid },
  };
}

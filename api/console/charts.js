// Small inline-SVG line charts of the metric series the API serves for an incident.
const W = 180;
const H = 44;

export function renderCharts(container, metrics) {
  container.replaceChildren(...metrics.series.map((s) => chart(s, metrics.marks)));
  if (!metrics.series.length) container.textContent = "No metric series for this incident yet.";
}

function chart(series, marks) {
  const box = document.createElement("div");
  box.className = "chart";
  const values = series.values.filter((v) => v !== null);
  const last = values.length ? values[values.length - 1] : null;
  box.innerHTML = `<div class="label" title="${series.service} ${series.metric}">` +
    `${series.service} · ${series.metric}</div>` +
    `<div class="value">${last === null ? "–" : format(last)}</div>`;
  box.appendChild(svg(series, marks));
  return box;
}

function svg(series, marks) {
  const ns = "http://www.w3.org/2000/svg";
  const root = document.createElementNS(ns, "svg");
  root.setAttribute("viewBox", `0 0 ${W} ${H}`);
  root.setAttribute("preserveAspectRatio", "none");
  const defined = series.values.filter((v) => v !== null);
  if (!defined.length) return root;
  const lo = Math.min(...defined);
  const hi = Math.max(...defined);
  const n = Math.max(series.values.length - 1, 1);
  const x = (i) => (i / n) * W;
  const y = (v) => H - 3 - ((v - lo) / (hi - lo || 1)) * (H - 6);
  const end = series.start + series.step * n;
  for (const mark of marks) {
    if (mark.at < series.start || mark.at > end) continue;
    const line = document.createElementNS(ns, "line");
    const mx = ((mark.at - series.start) / (end - series.start || 1)) * W;
    Object.entries({ x1: mx, x2: mx, y1: 0, y2: H, stroke: "#adb5bd", "stroke-dasharray": "2 2" })
      .forEach(([k, v]) => line.setAttribute(k, v));
    line.appendChild(titled(ns, mark.label));
    root.appendChild(line);
  }
  const path = document.createElementNS(ns, "path");
  let d = "";
  series.values.forEach((v, i) => {
    if (v === null) return;
    d += `${d && series.values[i - 1] !== null ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  Object.entries({ d, fill: "none", stroke: "#3b5bdb", "stroke-width": 1.5 })
    .forEach(([k, v]) => path.setAttribute(k, v));
  root.appendChild(path);
  return root;
}

function titled(ns, text) {
  const title = document.createElementNS(ns, "title");
  title.textContent = text;
  return title;
}

function format(v) {
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toFixed(4);
}

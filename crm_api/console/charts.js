// Small SVG charts drawn by hand (no chart library): line, bars, horizontal bars,
// stacked bars, donut. Every mark carries data-* attributes so tests can check them.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#1565c0", "#2e7d32", "#f9a825", "#ef6c00", "#c62828", "#6a1b9a", "#00838f"];

function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function chartRoot(container, width, height, name) {
  container.replaceChildren();
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart",
    role: "img", "aria-label": name, "data-chart": name });
  container.append(svg);
  return svg;
}

function empty(container, name) {
  container.replaceChildren();
  const div = document.createElement("div");
  div.className = "empty";
  div.dataset.chart = name;
  div.textContent = "所选范围内没有数据";
  container.append(div);
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function yAxis(svg, pad, width, height, max, fmt) {
  for (let i = 0; i <= 4; i++) {
    const value = (max * i) / 4;
    const y = height - pad.bottom - ((height - pad.top - pad.bottom) * i) / 4;
    svg.append(svgEl("line", { x1: pad.left, x2: width - pad.right, y1: y, y2: y,
      class: i ? "grid-line" : "axis" }));
    svg.append(svgEl("text", { x: pad.left - 6, y: y + 4, "text-anchor": "end" }, fmt(value)));
  }
}

/** Line chart: points [{x: label, y: number|null}], y in [0, max]. */
function lineChart(container, points, { name, max = 100, suffix = "%", color = PALETTE[0],
  secondary = null, width = 1200, height = 280 } = {}) {
  const data = points.filter((p) => p.y !== null && p.y !== undefined);
  if (!data.length) return empty(container, name);
  const pad = { top: 16, right: 16, bottom: 30, left: 42 };
  const svg = chartRoot(container, width, height, name);
  yAxis(svg, pad, width, height, max, (v) => Math.round(v) + suffix);
  const innerW = width - pad.left - pad.right, innerH = height - pad.top - pad.bottom;
  const x = (i) => pad.left + (points.length === 1 ? innerW / 2 : (innerW * i) / (points.length - 1));
  const y = (v) => pad.top + innerH - (innerH * v) / max;
  const series = [[points.map((p) => p.y), color, "primary"]];
  if (secondary) series.push([points.map((p) => p.y2), PALETTE[2], "secondary"]);
  for (const [values, stroke, kind] of series) {
    let d = "";
    values.forEach((v, i) => { if (v !== null && v !== undefined) d += (d ? "L" : "M") + x(i).toFixed(1) + "," + y(v).toFixed(1); });
    svg.append(svgEl("path", { d, fill: "none", stroke, "stroke-width": 2, class: `series ${kind}` }));
    values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const dot = svgEl("circle", { cx: x(i), cy: y(v), r: points.length > 60 ? 1.5 : 3, fill: stroke,
        class: "point", "data-value": v, "data-label": points[i].x });
      dot.append(svgEl("title", {}, `${points[i].x}: ${v}${suffix}`));
      svg.append(dot);
    });
  }
  const every = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((p, i) => {
    if (i % every === 0 || i === points.length - 1)
      svg.append(svgEl("text", { x: x(i), y: height - 10, "text-anchor": "middle" }, p.x.slice(5)));
  });
}

/** Vertical bars: items [{label, value, color?}]. */
function barChart(container, items, { name, suffix = "", max = null, colors = PALETTE } = {}) {
  if (!items.length || items.every((i) => !i.value)) return empty(container, name);
  const width = 640, height = 240, pad = { top: 20, right: 16, bottom: 34, left: 48 };
  const svg = chartRoot(container, width, height, name);
  const top = max || niceMax(Math.max(...items.map((i) => i.value || 0)));
  yAxis(svg, pad, width, height, top, (v) => (Number.isInteger(v) ? v : v.toFixed(1)) + suffix);
  const innerW = width - pad.left - pad.right, innerH = height - pad.top - pad.bottom;
  const slot = innerW / items.length, barW = Math.min(56, slot * 0.6);
  items.forEach((item, i) => {
    const h = (innerH * (item.value || 0)) / top;
    const x = pad.left + slot * i + (slot - barW) / 2, y = pad.top + innerH - h;
    const bar = svgEl("rect", { x, y, width: barW, height: Math.max(h, 0.5), rx: 2,
      fill: item.color || colors[i % colors.length], class: "bar", "data-value": item.value,
      "data-label": item.label });
    bar.append(svgEl("title", {}, `${item.label}: ${item.value}${suffix}`));
    svg.append(bar);
    svg.append(svgEl("text", { x: x + barW / 2, y: y - 4, "text-anchor": "middle", class: "value-label" },
      `${item.value}${suffix}`));
    svg.append(svgEl("text", { x: x + barW / 2, y: height - 12, "text-anchor": "middle" }, item.label));
  });
}

/** Horizontal bars, sorted as given: items [{label, value, note?}]. */
function hBarChart(container, items, { name, suffix = "", max = 100, color = PALETTE[0] } = {}) {
  if (!items.length) return empty(container, name);
  const rowH = 26, width = 640, pad = { top: 6, right: 110, bottom: 6, left: 96 };
  const height = pad.top + pad.bottom + rowH * items.length;
  const svg = chartRoot(container, width, height, name);
  const innerW = width - pad.left - pad.right;
  items.forEach((item, i) => {
    const y = pad.top + rowH * i;
    const w = (innerW * (item.value || 0)) / max;
    svg.append(svgEl("text", { x: pad.left - 8, y: y + rowH / 2 + 4, "text-anchor": "end" }, item.label));
    svg.append(svgEl("rect", { x: pad.left, y: y + 5, width: innerW, height: rowH - 10, fill: "#f1f4f8", rx: 2 }));
    const bar = svgEl("rect", { x: pad.left, y: y + 5, width: Math.max(w, 0.5), height: rowH - 10, rx: 2,
      fill: item.color || color, class: "bar", "data-value": item.value, "data-label": item.label });
    bar.append(svgEl("title", {}, `${item.label}: ${item.value}${suffix}`));
    svg.append(bar);
    svg.append(svgEl("text", { x: pad.left + innerW + 8, y: y + rowH / 2 + 4, class: "value-label" },
      `${item.value ?? "—"}${suffix}${item.note ? "  " + item.note : ""}`));
  });
}

/** Stacked vertical bars: groups [{label, parts: {series: value}}], series names in order. */
function stackedBarChart(container, groups, series, { name, colors = PALETTE } = {}) {
  const totals = groups.map((g) => series.reduce((s, k) => s + (g.parts[k] || 0), 0));
  if (!groups.length || totals.every((t) => !t)) return empty(container, name);
  const width = 640, height = 250, pad = { top: 18, right: 16, bottom: 34, left: 44 };
  const svg = chartRoot(container, width, height, name);
  const top = niceMax(Math.max(...totals));
  yAxis(svg, pad, width, height, top, (v) => Math.round(v));
  const innerW = width - pad.left - pad.right, innerH = height - pad.top - pad.bottom;
  const slot = innerW / groups.length, barW = Math.min(56, slot * 0.6);
  groups.forEach((group, i) => {
    const x = pad.left + slot * i + (slot - barW) / 2;
    let y = pad.top + innerH;
    series.forEach((key, s) => {
      const value = group.parts[key] || 0;
      if (!value) return;
      const h = (innerH * value) / top;
      y -= h;
      const bar = svgEl("rect", { x, y, width: barW, height: h, fill: colors[s % colors.length],
        class: "bar", "data-value": value, "data-label": `${group.label}/${key}` });
      bar.append(svgEl("title", {}, `${group.label} · ${key}: ${value}`));
      svg.append(bar);
    });
    svg.append(svgEl("text", { x: x + barW / 2, y: y - 4, "text-anchor": "middle", class: "value-label" }, totals[i]));
    svg.append(svgEl("text", { x: x + barW / 2, y: height - 12, "text-anchor": "middle" }, group.label));
  });
  legend(container, series, colors);
}

/** Donut: items [{label, value}] with a centre text. */
function donutChart(container, items, { name, centre = "", colors = PALETTE } = {}) {
  const total = items.reduce((s, i) => s + (i.value || 0), 0);
  if (!total) return empty(container, name);
  const size = 220, r = 80, stroke = 34, c = 2 * Math.PI * r;
  const svg = chartRoot(container, size, size, name);
  let offset = 0;
  items.forEach((item, i) => {
    const length = (c * (item.value || 0)) / total;
    const arc = svgEl("circle", { cx: size / 2, cy: size / 2, r, fill: "none",
      stroke: item.color || colors[i % colors.length], "stroke-width": stroke,
      "stroke-dasharray": `${length} ${c - length}`, "stroke-dashoffset": -offset,
      transform: `rotate(-90 ${size / 2} ${size / 2})`, class: "bar slice",
      "data-value": item.value, "data-label": item.label });
    arc.append(svgEl("title", {}, `${item.label}: ${item.value}`));
    svg.append(arc);
    offset += length;
  });
  svg.append(svgEl("text", { x: size / 2, y: size / 2 + 8, "text-anchor": "middle",
    style: "font-size:26px;fill:#1f2933;font-weight:600" }, centre));
  legend(container, items.map((i) => `${i.label} ${i.value}`), items.map((i, k) => i.color || colors[k % colors.length]));
}

function legend(container, names, colors) {
  const div = document.createElement("div");
  div.className = "legend";
  names.forEach((name, i) => {
    const span = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = colors[i % colors.length];
    span.append(swatch, name);
    div.append(span);
  });
  container.append(div);
}

// The floor's charts, drawn as SVG by the page itself: calls offered and answered per
// interval (bars) and the service level per interval (a line, with the target).

const NS = 'http://www.w3.org/2000/svg';
const W = 720;
const H = 220;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The intervals worth drawing: from the first with traffic (or 08:00) to now. */
function visible(series, nowMs) {
  const started = series.filter((i) => i.start_ms <= nowMs);
  const first = started.findIndex((i) => i.offered > 0);
  const from = first < 0 ? Math.max(0, started.length - 8) : Math.min(first, Math.max(0, started.length - 8));
  return started.slice(from);
}

function frame(root, label) {
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
  chart.append(svg('line', { class: 'axis', x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom }));
  root.replaceChildren(chart);
  return chart;
}

/** Bars of offered and answered per interval. `label(i)` names an interval's start. */
export function callsChart(root, series, nowMs, label, title) {
  const items = visible(series, nowMs);
  const chart = frame(root, title);
  const max = Math.max(1, ...items.map((i) => i.offered));
  const slot = (W - PAD.left - PAD.right) / Math.max(1, items.length);
  const y = (v) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  chart.append(svg('text', { x: 4, y: PAD.top + 8 }, String(max)));
  items.forEach((item, n) => {
    const x = PAD.left + n * slot;
    const w = Math.max(2, slot * 0.4);
    const offered = svg('rect', { class: 'bar-offered', x: x + slot * 0.1, y: y(item.offered), width: w, height: H - PAD.bottom - y(item.offered) });
    offered.append(svg('title', {}, `${label(item)}: ${item.offered}`));
    const answered = svg('rect', { class: 'bar-answered', x: x + slot * 0.5, y: y(item.answered), width: w, height: H - PAD.bottom - y(item.answered) });
    answered.append(svg('title', {}, `${label(item)}: ${item.answered}`));
    chart.append(offered, answered);
    if (n % Math.ceil(items.length / 12) === 0) chart.append(svg('text', { x, y: H - 8 }, label(item)));
  });
}

/** The service level per interval (intervals with nothing counted are gaps), and `target`. */
export function serviceLevelChart(root, series, nowMs, label, title, target = 0.8) {
  const items = visible(series, nowMs);
  const chart = frame(root, title);
  const slot = (W - PAD.left - PAD.right) / Math.max(1, items.length);
  const y = (ratio) => H - PAD.bottom - ratio * (H - PAD.top - PAD.bottom);
  chart.append(svg('line', { class: 'target', x1: PAD.left, y1: y(target), x2: W - PAD.right, y2: y(target) }));
  chart.append(svg('text', { x: 4, y: y(1) + 8 }, '100 %'), svg('text', { x: 4, y: y(target) + 4 }, `${Math.round(target * 100)} %`));
  let path = '';
  let pen = false; // a gap (nothing counted) lifts the pen
  items.forEach((item, n) => {
    const x = PAD.left + n * slot + slot / 2;
    if (n % Math.ceil(items.length / 12) === 0) chart.append(svg('text', { x: x - slot / 2, y: H - 8 }, label(item)));
    if (item.service_level === null) { pen = false; return; }
    const yy = y(item.service_level);
    path += `${pen ? 'L' : 'M'}${x.toFixed(1)},${yy.toFixed(1)} `;
    pen = true;
    const dot = svg('circle', { class: 'dot-sl', cx: x, cy: yy, r: 3 });
    dot.append(svg('title', {}, `${label(item)}: ${Math.round(item.service_level * 100)} %`));
    chart.append(dot);
  });
  if (path.trim()) chart.append(svg('path', { class: 'line-sl', d: path.trim() }));
}

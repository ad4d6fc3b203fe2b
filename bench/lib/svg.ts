/**
 * A small SVG writer for the two charts the benchmarks draw: grouped bars (latency
 * percentiles, log scale) and a two-series histogram over time (reconnect attempts).
 */

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
const W = 760;
const H = 400;
const M = { top: 40, right: 20, bottom: 80, left: 64 };

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toPrecision(2);

function frame(title: string, body: string[], legend: readonly string[]): string {
  // Two columns, as many rows as needed, under the x-axis title.
  const items = legend.map((label, i) => {
    const x = M.left + (i % 2) * 330;
    const y = H - 30 + Math.floor(i / 2) * 16;
    return (
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>` +
      `<text x="${x + 16}" y="${y + 10}" font-size="11">${esc(label)}</text>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" font-size="15" text-anchor="middle">${esc(title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`,
    ...body,
    ...items,
    '</svg>',
    '',
  ].join('\n');
}

/** Grouped bars per category (e.g. p50 … p99.9), one bar per series, on a log-10 y axis. */
export function percentileChart(chart: {
  title: string;
  categories: readonly string[];
  series: readonly { label: string; values: readonly number[] }[];
}): string {
  const all = chart.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, 1)));
  const plotH = H - M.top - M.bottom;
  const y = (v: number): number =>
    H - M.bottom - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const body: string[] = [];
  for (let tick = lo; tick <= hi; tick *= 10) {
    body.push(`<line x1="${M.left}" y1="${y(tick)}" x2="${W - M.right}" y2="${y(tick)}" stroke="#ddd"/>`);
    body.push(`<text x="${M.left - 6}" y="${y(tick) + 4}" font-size="11" text-anchor="end">${num(tick)}</text>`);
  }
  const groupW = (W - M.left - M.right) / chart.categories.length;
  const barW = (groupW * 0.8) / Math.max(1, chart.series.length);
  chart.categories.forEach((category, c) => {
    const x0 = M.left + c * groupW + groupW * 0.1;
    body.push(
      `<text x="${x0 + groupW * 0.4}" y="${H - M.bottom + 16}" font-size="12" text-anchor="middle">${esc(category)}</text>`,
    );
    chart.series.forEach((s, i) => {
      const v = s.values[c] ?? Number.NaN;
      if (!Number.isFinite(v)) return;
      const top = y(v);
      body.push(
        `<rect x="${x0 + i * barW}" y="${top}" width="${barW - 2}" height="${H - M.bottom - top}" fill="${COLORS[i % COLORS.length]}"><title>${esc(s.label)} ${esc(category)}: ${num(v)}</title></rect>`,
      );
      body.push(
        `<text x="${x0 + i * barW + barW / 2}" y="${top - 3}" font-size="9" text-anchor="middle">${num(v)}</text>`,
      );
    });
  });
  return frame(
    chart.title,
    body,
    chart.series.map((s) => s.label),
  );
}

/** Counts per time bin for two or more series (e.g. reconnect attempts per 100 ms), side by side. */
export function histogramChart(chart: {
  title: string;
  binMs: number;
  series: readonly { label: string; counts: readonly number[] }[];
  /** A horizontal line, e.g. the 15 %-of-clients target. */
  limit?: { value: number; label: string };
}): string {
  const bins = Math.max(1, ...chart.series.map((s) => s.counts.length));
  const max = Math.max(1, chart.limit?.value ?? 0, ...chart.series.flatMap((s) => s.counts));
  const plotH = H - M.top - M.bottom;
  const y = (v: number): number => H - M.bottom - (v / max) * plotH;
  const binW = (W - M.left - M.right) / bins;
  const barW = binW / chart.series.length;
  const body: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    body.push(`<line x1="${M.left}" y1="${y(v)}" x2="${W - M.right}" y2="${y(v)}" stroke="#eee"/>`);
    body.push(`<text x="${M.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v.toFixed(0)}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(bins / 12));
  for (let b = 0; b < bins; b += labelEvery) {
    body.push(
      `<text x="${M.left + b * binW}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${((b * chart.binMs) / 1000).toFixed(1)}</text>`,
    );
  }
  body.push(
    `<text x="${W / 2}" y="${H - M.bottom + 34}" font-size="12" text-anchor="middle">seconds after the broker went down (bins of ${chart.binMs} ms)</text>`,
  );
  chart.series.forEach((s, i) => {
    s.counts.forEach((count, b) => {
      if (count === 0) return;
      body.push(
        `<rect x="${M.left + b * binW + i * barW}" y="${y(count)}" width="${Math.max(1, barW - 1)}" height="${H - M.bottom - y(count)}" fill="${COLORS[i % COLORS.length]}"><title>${esc(s.label)}: ${count}</title></rect>`,
      );
    });
  });
  if (chart.limit !== undefined) {
    const ly = y(chart.limit.value);
    body.push(
      `<line x1="${M.left}" y1="${ly}" x2="${W - M.right}" y2="${ly}" stroke="#d62728" stroke-dasharray="6 4"/>`,
    );
    body.push(
      `<text x="${W - M.right}" y="${ly - 4}" font-size="11" text-anchor="end" fill="#d62728">${esc(chart.limit.label)}</text>`,
    );
  }
  return frame(
    chart.title,
    body,
    chart.series.map((s) => s.label),
  );
}

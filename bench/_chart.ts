// A small SVG bar chart: one panel per workload, the stacks' bars side by side. No dependencies.

/** One bar group inside a panel (e.g. "median" and "p99" of a latency workload). */
export interface BarGroup {
  /** Label under the group; "" for a panel with one group. */
  label: string;
  /**
   * One value per stack, in the order of {@linkcode ChartOptions.stacks}: a number, a word shown
   * instead of a bar (e.g. "hangs"), or null if the stack did not run it.
   */
  values: (number | string | null)[];
}

/** One workload. */
export interface Panel {
  /** Title, e.g. "PUSH/PULL 16 B". */
  title: string;
  /** Unit shown in the title, e.g. "msgs/s". */
  unit: string;
  /** Which way is better, shown in the title. */
  better: "lower" | "higher";
  /** The bar groups. */
  groups: BarGroup[];
}

/** Chart-wide options. */
export interface ChartOptions {
  /** Stack names, in bar order. */
  stacks: string[];
  /** A colour per stack. */
  colors: string[];
  /** Title over the whole chart. */
  title: string;
  /** A line of small print under the title (date, machine). */
  subtitle: string;
  /** Panels per row (default 2). */
  columns?: number;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The opening of a chart: the svg element, a white background, the title and the subtitle. */
function header(width: number, height: number, title: string, subtitle: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">` +
    `${esc(title)}</text>`,
    `<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`,
  ];
}

/** A compact label for a value: 2.8M, 66k, 94.5. */
export function shortNumber(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e7 ? 1 : 2)}M`;
  if (x >= 1e4) return `${Math.round(x / 1e3)}k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  if (x >= 100) return x.toFixed(0);
  return x.toFixed(1);
}

/** Renders the panels as one SVG document. */
export function barChart(panels: Panel[], options: ChartOptions): string {
  const cols = options.columns ?? 2;
  const pw = 420, ph = 230, top = 64, legendH = 28;
  const rows = Math.ceil(panels.length / cols);
  const width = cols * pw + 20;
  const height = top + legendH + rows * ph + 10;
  const out = header(width, height, options.title, options.subtitle);
  // legend
  const lx0 = width / 2 - options.stacks.length * 75;
  options.stacks.forEach((s, i) => {
    const x = lx0 + i * 150;
    out.push(
      `<rect x="${x}" y="${top - 6}" width="12" height="12" fill="${options.colors[i]}"/>`,
      `<text x="${x + 17}" y="${top + 4}">${esc(s)}</text>`,
    );
  });
  panels.forEach((p, k) => {
    const ox = 10 + (k % cols) * pw, oy = top + legendH + Math.floor(k / cols) * ph;
    const plotX = ox + 10, plotY = oy + 30, plotW = pw - 30, plotH = ph - 70;
    const max = Math.max(
      1e-9,
      ...p.groups.flatMap((g) => g.values.map((v) => typeof v === "number" ? v : 0)),
    );
    out.push(
      `<text x="${ox + pw / 2}" y="${oy + 16}" text-anchor="middle" font-size="13" ` +
        `font-weight="bold">${esc(p.title)} <tspan font-weight="normal" fill="#555">(${
          esc(p.unit)
        }, ${p.better} is better)</tspan></text>`,
      `<line x1="${plotX}" y1="${plotY + plotH}" x2="${plotX + plotW}" y2="${plotY + plotH}" ` +
        `stroke="#999"/>`,
    );
    const gw = plotW / p.groups.length;
    p.groups.forEach((g, gi) => {
      const n = g.values.length;
      const bw = Math.min(60, (gw - 20) / n);
      const gx = plotX + gi * gw + (gw - bw * n) / 2;
      g.values.forEach((v, i) => {
        const x = gx + i * bw;
        if (typeof v !== "number") {
          out.push(
            `<text x="${x + bw / 2}" y="${plotY + plotH - 4}" text-anchor="middle" ` +
              `font-size="9" fill="${v === null ? "#999" : "#b00"}">${esc(v ?? "n/a")}</text>`,
          );
          return;
        }
        const h = Math.max(1, (v / max) * (plotH - 16));
        const y = plotY + plotH - h;
        out.push(
          `<rect x="${x + 2}" y="${y.toFixed(1)}" width="${(bw - 4).toFixed(1)}" ` +
            `height="${h.toFixed(1)}" fill="${options.colors[i]}"><title>${
              esc(`${options.stacks[i]}: ${v}`)
            }</title></rect>`,
          `<text x="${x + bw / 2}" y="${(y - 3).toFixed(1)}" text-anchor="middle" ` +
            `font-size="10">${shortNumber(v)}</text>`,
        );
      });
      if (g.label) {
        out.push(
          `<text x="${plotX + gi * gw + gw / 2}" y="${plotY + plotH + 16}" ` +
            `text-anchor="middle" fill="#333">${esc(g.label)}</text>`,
        );
      }
    });
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** One line of a line chart: a stack's values at the x positions (null: no point). */
export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number | null }[];
}

/** Options of {@linkcode lineChart}: both axes are logarithmic. */
export interface LineChartOptions {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  /** Tick labels for x positions, e.g. [[16, "16 B"], [1024, "1 KiB"]]. */
  xTicks: [number, string][];
}

/** Renders lines over log-log axes (e.g. MB/s against message size) as one SVG document. */
export function lineChart(series: Series[], options: LineChartOptions): string {
  const width = 860, height = 480, left = 70, right = 170, top = 70, bottom = 60;
  const plotW = width - left - right, plotH = height - top - bottom;
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y): y is number =>
    y !== null && y > 0
  );
  const xs = options.xTicks.map(([x]) => x);
  const lx = (x: number) => Math.log10(x);
  const [x0, x1] = [lx(Math.min(...xs)), lx(Math.max(...xs))];
  const y0 = Math.floor(Math.log10(Math.min(1, ...ys)));
  const y1 = Math.ceil(Math.log10(Math.max(10, ...ys)));
  const px = (x: number) => left + ((lx(x) - x0) / (x1 - x0 || 1)) * plotW;
  const py = (y: number) => top + plotH - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * plotH;
  const out = header(width, height, options.title, options.subtitle);
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    out.push(
      `<line x1="${left}" y1="${y.toFixed(1)}" x2="${left + plotW}" y2="${y.toFixed(1)}" ` +
        `stroke="#e4e4e4"/>`,
      `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${
        shortNumber(10 ** e)
      }</text>`,
    );
  }
  for (const [x, label] of options.xTicks) {
    out.push(
      `<line x1="${px(x).toFixed(1)}" y1="${top}" x2="${px(x).toFixed(1)}" ` +
        `y2="${top + plotH}" stroke="#e4e4e4"/>`,
      `<text x="${px(x).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${
        esc(label)
      }</text>`,
    );
  }
  out.push(
    `<text x="${left + plotW / 2}" y="${height - 14}" text-anchor="middle" fill="#333">${
      esc(options.xLabel)
    }</text>`,
    `<text x="16" y="${top + plotH / 2}" text-anchor="middle" fill="#333" ` +
      `transform="rotate(-90 16 ${top + plotH / 2})">${esc(options.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.filter((p): p is { x: number; y: number } => p.y !== null && p.y > 0);
    if (pts.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${
          pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ")
        }"/>`,
      );
    }
    for (const p of pts) {
      out.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${s.color}">` +
          `<title>${esc(`${s.name}: ${p.y} MB/s`)}</title></circle>`,
      );
    }
    const ly = top + 10 + i * 20;
    out.push(
      `<rect x="${left + plotW + 16}" y="${ly - 9}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${left + plotW + 33}" y="${ly + 1}">${esc(s.name)}${
        pts.length ? "" : " (no data)"
      }</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

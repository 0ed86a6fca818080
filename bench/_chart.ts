// A small SVG bar chart: one panel per workload, the stacks' bars side by side. No dependencies.

/** One bar group inside a panel (e.g. "median" and "p99" of a latency workload). */
export interface BarGroup {
  /** Label under the group; "" for a panel with one group. */
  label: string;
  /** One value per stack, in the order of {@linkcode ChartOptions.stacks}; null if missing. */
  values: (number | null)[];
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
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">` +
      `${esc(options.title)}</text>`,
    `<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${
      esc(options.subtitle)
    }</text>`,
  );
  // legend
  const lx0 = width / 2 - options.stacks.length * 55;
  options.stacks.forEach((s, i) => {
    const x = lx0 + i * 110;
    out.push(
      `<rect x="${x}" y="${top - 6}" width="12" height="12" fill="${options.colors[i]}"/>`,
      `<text x="${x + 17}" y="${top + 4}">${esc(s)}</text>`,
    );
  });
  panels.forEach((p, k) => {
    const ox = 10 + (k % cols) * pw, oy = top + legendH + Math.floor(k / cols) * ph;
    const plotX = ox + 10, plotY = oy + 30, plotW = pw - 30, plotH = ph - 70;
    const max = Math.max(1e-9, ...p.groups.flatMap((g) => g.values.map((v) => v ?? 0)));
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
        if (v === null) {
          out.push(
            `<text x="${x + bw / 2}" y="${plotY + plotH - 4}" text-anchor="middle" ` +
              `fill="#999">n/a</text>`,
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

// Stacked bars of cost per group (CPU, memory, storage, GPU) with uPlot; a lazy chunk of the Cost page.
// Stacking: each bar series is the running sum up to its part, drawn largest first so the later (smaller)
// ones paint over it. The figures themselves are in the table next to the chart.
import { useComputedColorScheme } from "@mantine/core";
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { PART_COLORS } from "./colors";

export type ChartGroup = { label: string; parts: [cpu: number, memory: number, storage: number, gpu: number] };

export default function CostChart({
  groups,
  partNames,
  format,
  height = 260,
}: {
  groups: ChartGroup[];
  partNames: [string, string, string, string];
  format: (v: number) => string;
  height?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const scheme = useComputedColorScheme("light");

  useEffect(() => {
    const el = ref.current;
    if (!el || groups.length === 0) return;
    const n = groups.length;
    const xs = groups.map((_, i) => i);
    // cumulative sums: cum[k][i] = parts 0..k of group i
    const cum = [0, 1, 2, 3].map((k) => groups.map((g) => g.parts.slice(0, k + 1).reduce((a, b) => a + b, 0)));
    const axisStroke = scheme === "dark" ? "#c9c9c9" : "#495057";
    const gridStroke = scheme === "dark" ? "#3b3b3b" : "#e9ecef";
    const label = (s: string) => (s.length > 18 ? s.slice(0, 17) + "…" : s);
    const bars = uPlot.paths.bars!({ size: [0.6, 64], align: 0 });
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { show: true, x: false, y: false, points: { show: false }, drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: () => [-0.5, n - 0.5] },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        {
          stroke: axisStroke,
          grid: { show: false },
          ticks: { stroke: gridStroke },
          splits: () => xs,
          values: (_u, splits) => splits.map((i) => (groups[i] ? label(groups[i].label) : "")),
          rotate: n > 6 ? -30 : 0,
          size: n > 6 ? 90 : 40,
          font: "11px system-ui, sans-serif",
        },
        {
          stroke: axisStroke,
          grid: { stroke: gridStroke, width: 1 },
          ticks: { stroke: gridStroke },
          values: (_u, splits) => splits.map((v) => format(v)),
          size: 70,
          font: "11px system-ui, sans-serif",
        },
      ],
      series: [
        {},
        ...[3, 2, 1, 0].map((k) => ({
          label: partNames[k],
          fill: PART_COLORS[k],
          stroke: PART_COLORS[k],
          width: 0,
          paths: bars,
          points: { show: false },
        })),
      ],
    };
    const data: uPlot.AlignedData = [xs, cum[3], cum[2], cum[1], cum[0]];
    const plot = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [groups, partNames, format, height, scheme]);

  return <div ref={ref} data-testid="cost-chart-canvas" />;
}

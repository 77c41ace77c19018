// uPlot line chart sized to its container, colours following the Mantine theme.
import { useComputedColorScheme } from "@mantine/core";
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./chart.css";

export type Series = { label: string; values: (number | null)[]; color: string; scale?: string };

export function MetricsChart({
  times,
  series,
  height = 220,
  yRange,
  xRange,
  ariaLabel,
  testId,
}: {
  /** unix seconds */
  times: number[];
  series: Series[];
  height?: number;
  yRange?: [number, number];
  /** the x axis spans exactly this (unix seconds), whatever the samples: one sample does not stretch it to years */
  xRange?: [number, number];
  ariaLabel: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const scheme = useComputedColorScheme("light");

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const axisColor = scheme === "dark" ? "#c9c9c9" : "#495057";
    const gridColor = scheme === "dark" ? "rgba(255,255,255,0.08)" : "rgba(0,0,0,0.08)";
    const scales: uPlot.Scales = { x: xRange ? { time: true, range: () => [xRange[0], xRange[1]] } : { time: true } };
    if (yRange) scales.y = { range: yRange };
    const secondScale = series.find((s) => s.scale && s.scale !== "y")?.scale;
    if (secondScale) scales[secondScale] = { auto: true };
    const axes: uPlot.Axis[] = [
      { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor } },
      { stroke: axisColor, grid: { stroke: gridColor }, ticks: { stroke: gridColor }, size: 48 },
    ];
    if (secondScale) axes.push({ scale: secondScale, side: 1, stroke: axisColor, grid: { show: false }, size: 48 });
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      scales,
      axes,
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          scale: s.scale ?? "y",
          spanGaps: false,
          points: { show: times.length < 60 },
        })),
      ],
    };
    const data = [times, ...series.map((s) => s.values)] as uPlot.AlignedData;
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => {
      if (plot.current && el.clientWidth) plot.current.setSize({ width: el.clientWidth, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [times, series, height, yRange, xRange, scheme]);

  return <div ref={ref} role="img" aria-label={ariaLabel} data-testid={testId} className={`uplot-host uplot-${scheme}`} />;
}

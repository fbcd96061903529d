import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  PolarComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { type EChartsCoreOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

use([
  BarChart,
  HeatmapChart,
  LineChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  PolarComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

/** Okabe–Ito: distinguishable with every common colour-vision deficiency, and dark enough on white. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/**
 * One ECharts chart, drawn as SVG (sharp at any zoom, and part of the DOM for the PNG export), resized with its
 * box. ECharts' aria module writes a text description of the data for screen readers.
 */
export function Chart(props: { option: EChartsCoreOption; height: number; label: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);

  useEffect(() => {
    if (!box.current) return;
    const instance = init(box.current, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        color: PALETTE,
        aria: { enabled: true },
        animation: false,
        // A real font list, not 'inherit': ECharts measures label widths with it (legends overlap otherwise).
        textStyle: { fontFamily: FONT },
        ...props.option,
      },
      { notMerge: true },
    );
  }, [props.option]);

  return (
    <div
      class="chart"
      ref={box}
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
      style={{ height: `${props.height}px` }}
    />
  );
}

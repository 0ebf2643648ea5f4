/**
 * The two small Chart.js plugins the report uses, kept as JavaScript source text so that the
 * very same code runs in the page (inlined into a `<script>`) and on the server (evaluated once
 * here for the PNGs). `whiteBackground` paints the canvas white so a PNG reads on any viewer;
 * `pointLabels` writes each scatter point's `label` beside it, so a printed chart still says
 * which fault a point is; `faultBands` shades the fault intervals of a timeline (Jepsen's plots do
 * the same), read from `options.plugins.faultBands.bands = [{ from, to, label }]` in x units.
 */
import type { Plugin } from 'chart.js';

export type ChartPluginName = 'whiteBackground' | 'pointLabels' | 'faultBands';

export const chartPluginsSource = `({
  whiteBackground: {
    id: 'whiteBackground',
    beforeDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  },
  faultBands: {
    id: 'faultBands',
    beforeDatasetsDraw(chart, _args, options) {
      const bands = options?.bands ?? [];
      const x = chart.scales.x;
      const area = chart.chartArea;
      if (!x || !area) return;
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = '11px sans-serif';
      let labelRight = -Infinity;
      for (const band of bands) {
        const left = Math.max(area.left, x.getPixelForValue(band.from));
        // A fault short against the axis (a crash on a day-long burn-down) still shows: 2 px at least.
        const right = Math.min(area.right, Math.max(left + 2, x.getPixelForValue(band.to)));
        if (!(right > left) || left >= area.right) continue;
        ctx.fillStyle = 'rgba(213, 94, 0, 0.12)';
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        if (options?.labels === false) continue;
        // A label only where it does not run over the previous one.
        const width = ctx.measureText(band.label).width;
        if (left + 3 < labelRight || left + 3 + width > area.right) continue;
        ctx.fillStyle = '#8a3b00';
        ctx.fillText(band.label, left + 3, area.top + 12);
        labelRight = left + 3 + width + 6;
      }
      ctx.restore();
    },
  },
  pointLabels: {
    id: 'pointLabels',
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = '11px sans-serif';
      ctx.fillStyle = '#333333';
      chart.data.datasets.forEach((dataset, datasetIndex) => {
        const meta = chart.getDatasetMeta(datasetIndex);
        if (meta.hidden) return;
        meta.data.forEach((element, index) => {
          const point = dataset.data[index];
          if (!point || typeof point.label !== 'string') return;
          const dy = index % 2 === 0 ? -6 : 14;
          ctx.fillText(point.label, element.x + 7, element.y + dy);
        });
      });
      ctx.restore();
    },
  },
})`;

/** Legend entries of datasets marked `hiddenInLegend` (a band's lower edge) are left out. */
export const legendFilterSource = '(item, data) => !data.datasets[item.datasetIndex].hiddenInLegend';

let loaded: Record<ChartPluginName, Plugin> | undefined;

/** The plugins as objects, for server-side rendering; evaluated from the same source as the page's. */
export function chartPlugins(): Record<ChartPluginName, Plugin> {
  loaded ??= new Function(`return ${chartPluginsSource};`)() as Record<ChartPluginName, Plugin>;
  return loaded;
}

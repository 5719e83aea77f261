// Renders a vega-lite chart to an SVG string in Node, so the report reads without JavaScript; the page
// later swaps in vega-embed's interactive view of the same spec when scripts run.
import type { TopLevelSpec } from 'vega-lite';

/**
 * Compiles the vega-lite spec and draws it headless (renderer 'none': no canvas, no DOM needed). vega is imported
 * here, at the first chart, not at start-up: loading it takes over a second of CPU, which every soakgate command that
 * draws no chart (a refusal, --help, a run with --no-report) would otherwise pay.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

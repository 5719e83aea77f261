// Renders a vega-lite chart to an SVG string in Node, so the report reads without JavaScript; the page
// later swaps in vega-embed's interactive view of the same spec when scripts run.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Compiles the vega-lite spec and draws it headless (renderer 'none': no canvas, no DOM needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// Renders a vega-lite chart to an SVG string in Node, so the report reads without JavaScript; the page
// later swaps in vega-embed's interactive view of the same spec when scripts run.
import { compileFunction } from 'node:vm';
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import { loadVegaBundles } from './page.ts';

interface Renderer {
  vega: typeof Vega;
  vegaLite: typeof VegaLite;
}

let renderer: Renderer | undefined;

/** Runs a UMD bundle as CommonJS would, its `require` answering only the packages named in `modules`. */
function evaluateUmd(source: string, filename: string, modules: Record<string, unknown> = {}): unknown {
  const module = { exports: {} };
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`${filename} requires '${name}', which the report does not provide`);
    return modules[name];
  };
  compileFunction(source, ['exports', 'module', 'require'], { filename })(module.exports, module, require);
  return module.exports;
}

/**
 * vega and vega-lite as the page inlines them: their single-file bundles, compiled at the first chart, not at
 * start-up, so a command that draws no chart (a refusal, --help, a run with --no-report) pays nothing. Importing
 * the packages instead loads about 380 modules through tsx's loader, over a second of CPU in every report (about
 * a tenth of that this way), and the SVG drawn here then comes from the very code the page runs.
 */
function loadRenderer(): Renderer {
  if (renderer) return renderer;
  const bundles = loadVegaBundles();
  const vega = evaluateUmd(bundles.vega, 'vega.min.js') as typeof Vega;
  const vegaLite = evaluateUmd(bundles.vegaLite, 'vega-lite.min.js', { vega }) as typeof VegaLite;
  renderer = { vega, vegaLite };
  return renderer;
}

/** Compiles the vega-lite spec and draws it headless (renderer 'none': no canvas, no DOM needed). */
export async function renderSvg(spec: VegaLite.TopLevelSpec): Promise<string> {
  const { vega, vegaLite } = loadRenderer();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

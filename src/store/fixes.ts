// The dedup store's fixes as a gateway is told them: `--fixes`' list and the default when none is given. The
// gateway's command line and the harness's scenarios and overrides (through harness/target/gatewayLimits.ts) read
// them here, so both accept and refuse the same lists.
import { ALL_FIXES, type Fix, type StoreKind } from './sessionStore.ts';

/** The fixes a store runs with when none are named: all of them for dedup, none for naive. */
export function defaultFixes(store: StoreKind): Fix[] {
  return store === 'dedup' ? [...ALL_FIXES] : [];
}

/** Parses `prune,dedupe` (each once), or `none` or an empty list for no fix; throws RangeError naming an unknown one. */
export function parseFixes(list: string): Fix[] {
  const names = list === 'none' ? [] : list.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !ALL_FIXES.includes(name as Fix));
  if (unknown.length > 0) {
    throw new RangeError(`unknown fix ${unknown.map((u) => `'${u}'`).join(', ')}: expected some of ${ALL_FIXES.join(', ')}, or none`);
  }
  return [...new Set(names as Fix[])];
}

// A seeded pseudo-random generator, so a bootstrap interval, a synthetic test series and the embedded gateway's
// generated skills are the same on every run with the same seed. Math.random cannot be seeded. In lib/, which the
// gateway (src/) and the harness both import and which imports nothing (docs/ARCHITECTURE.md, "Layers").

/** mulberry32: a 32-bit state generator, uniform in [0, 1); plenty for resampling, not for cryptography. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from a uniform generator (Box-Muller). */
export function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Seeded randomness for synthetic data: the demo chain (synthetic/) and the shelf renderer (synthetic/render.ts)
 * both draw from it, and both must give the same output from the same seed on every machine (the demo photos
 * and the vision eval set depend on the exact sequence). It lives outside both rooms so that neither imports
 * the other; it imports nothing.
 */

/** mulberry32: small, fast, seeded. */
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

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

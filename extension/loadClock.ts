/** Imported first by the entries, so its timestamp is taken before the rest of the bundle loads. */
export const bundleStartMs = performance.now();

// One build recipe for every package: ESM + CommonJS + declarations, Node 20.
export function packageBuild(entry, extra = {}) {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    shims: true,
    target: 'node20',
    splitting: false,
    ...extra,
  };
}

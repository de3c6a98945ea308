import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.mjs';
export default defineConfig([
  packageBuild({ index: 'src/index.ts' }),
  {
    ...packageBuild({ bin: 'src/bin.ts' }),
    format: ['cjs'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);

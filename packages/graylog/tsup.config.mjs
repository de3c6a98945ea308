import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.mjs';
export default defineConfig(packageBuild({ index: 'src/index.ts' }));

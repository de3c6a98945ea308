// `pnpm bench`: runs every benchmark in turn; each prints its own figures as a markdown table.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
for (const name of ['pipeline', 'elk', 'cloudwatch', 'graylog']) {
  if (only && only !== name) continue;
  const script = join(here, name, `${name}.mjs`);
  if (!existsSync(script)) continue;
  console.log(`\n## ${name}\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', script], {
    stdio: 'inherit',
    cwd: here,
  });
  if (result.status !== 0) process.exitCode = result.status ?? 1;
}

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Starts the real OpenSearch the integration tests share (127.0.0.1:9200) and the moto server the
 * CloudWatch tests share (127.0.0.1:5000), from the repo's own scripts; each is a no-op when the
 * server already runs (CI starts them up front). Tests that need a special server
 * (3 nodes, a squeezed write pool, one started late) start and stop their own on other ports.
 */
export default function setup(): void {
  const script = fileURLToPath(new URL('../scripts/services/search-server', import.meta.url));
  execFileSync(script, ['start'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  const moto = fileURLToPath(new URL('../scripts/services/moto', import.meta.url));
  execFileSync(moto, ['start'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
}

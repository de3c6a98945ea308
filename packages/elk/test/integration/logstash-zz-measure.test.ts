import { it } from 'vitest';
import { createLogstashBackend } from '../../src/logstash/index.js';
import { startFakeTcpInput } from '../support/logstash-servers.js';
import { numbersOf, tally, testShipper, waitFor } from '../support/logstash-shipping.js';

for (const mode of ['end', 'reset'] as const) for (let run = 0; run < 5; run++) it(`${mode} ${run}`, async () => {
  const input = await startFakeTcpInput({ closeAfterLines: 250, closeMode: mode });
  const backend = createLogstashBackend({ url: input.url });
  const shipper = testShipper(backend, { maxBatchCount: 50 });
  for (let n = 0; n < 1000; n += 10) { for (let k = n; k < n + 10; k++) shipper.write({ message: 'm', n: k }); await new Promise((r) => setTimeout(r, 2)); }
  await shipper.flush();
  await waitFor(() => numbersOf(input.events).includes(999), 'last');
  await new Promise((r) => setTimeout(r, 50));
  const t = tally(numbersOf(input.events), 1000);
  console.log(mode, 'connections', input.connections(), 'missing', t.missing.length, t.missing.length ? `${t.missing[0]}..${t.missing.at(-1)}` : '', 'dups', t.duplicates, 'retried', shipper.stats().retried, 'err', shipper.stats().lastError?.message);
  await shipper.close(); await input.close();
});

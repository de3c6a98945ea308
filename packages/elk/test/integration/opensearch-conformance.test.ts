// The core conformance suite against a real OpenSearch server (port 9200, one node).
import { describeBackendConformance } from '@lms-logging/core/testing';
import type { LogRecord } from '@lms-logging/core';
import { beforeAll } from 'vitest';
import { createElkBackend } from '../../src/backend.js';
import { deleteIndices, ensureSearchServer, searchDocs, uniquePrefix } from './support.js';

let url = '';
beforeAll(() => {
  url = ensureSearchServer({ port: 9200 });
});

describeBackendConformance('elk (OpenSearch)', {
  ordered: false,
  create() {
    const prefix = uniquePrefix('conformance');
    const backend = createElkBackend({ nodes: [url], index: `${prefix}-%{+YYYY.MM.dd}` });
    return Promise.resolve({
      backend,
      // Search is not ordered by arrival: read back sorted by `n`, compared as a set.
      readBack: async () => (await searchDocs(url, `${prefix}-*`, 'n')) as LogRecord[],
      cleanup: () => deleteIndices(url, `${prefix}-*`),
    });
  },
});

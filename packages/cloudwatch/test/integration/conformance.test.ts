// Core's backend conformance suite against a real moto server (scripts/services/moto).
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { describeBackendConformance } from '@lms-logging/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { createCloudWatchBackend } from '../../src/backend.js';
import { deleteGroup, readRecords, uniqueGroup, useMoto } from '../support/moto.js';

let client: CloudWatchLogsClient;

beforeAll(() => {
  useMoto();
  client = new CloudWatchLogsClient({});
});

afterAll(() => {
  client.destroy();
});

describeBackendConformance('cloudwatch (moto)', {
  ordered: true,
  create() {
    const logGroupName = uniqueGroup('conformance');
    const logStreamName = 'conformance';
    const backend = createCloudWatchBackend({ logGroupName, logStreamName });
    return Promise.resolve({
      backend,
      readBack: () => readRecords(client, logGroupName, logStreamName),
      cleanup: () => deleteGroup(client, logGroupName),
    });
  },
});

export {
  createMemoryBackend,
  type MemoryBackend,
  type MemoryBackendOptions,
} from './memory-backend.js';
export {
  createFaultyBackend,
  type FaultyBackend,
  type FaultyBackendOptions,
  type FaultyResponse,
} from './faulty-backend.js';
export {
  describeBackendConformance,
  withInjectedFaults,
  type ConformanceHarness,
  type ConformanceTarget,
} from './conformance.js';
export {
  fixturesIn,
  startChild,
  runChild,
  tempDirs,
  readLogRecords,
  readNdjson,
  range,
  type ChildResult,
  type RunningChild,
  type TempDirs,
} from './child-process.js';
export { envTableRows } from './env-table.js';

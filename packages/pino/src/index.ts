import lmsTransport from './transport.js';

export default lmsTransport;
export { lmsTransport };
export { DEFAULT_WORKER_CLOSE_TIMEOUT_MS, type LmsPinoTransportOptions } from './transport.js';
export {
  LmsDestination,
  lmsDestination,
  type LmsDestinationOptions,
  type LmsDestinationStreamOptions,
} from './destination.js';
export { LineSplitter, parseLine, unparsedRecord } from './lines.js';
export { PinoRecordNormaliser, type PinoConfig, type PinoConfigMessage } from './pino-config.js';
export type {
  ShipperSource,
  EnvShipperSource as EnvSource,
  ShipperSourceOptions,
} from '@lms-logging/core';

export {
  LmsTransport,
  type LmsTransportOptions,
  type LmsTransportStreamOptions,
  type LmsTransportShipperSource,
  type LmsTransportEnvSource,
  type WinstonInfo,
} from './transport.js';
export {
  createLmsLogger,
  type CreateLmsLoggerOptions,
  type LmsLogger,
  type LmsLoggerExtras,
} from './logger.js';

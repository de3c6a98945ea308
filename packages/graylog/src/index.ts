export {
  createGraylogBackend,
  createBackendFromEnv,
  GRAYLOG_LIMITS,
  type GraylogBackend,
  type GraylogPayload,
} from './backend.js';
export {
  GRAYLOG_ENV,
  DEFAULT_CHUNK_SIZE,
  LAN_CHUNK_SIZE,
  CHUNK_HEADER_BYTES,
  MAX_CHUNKS,
  DEFAULT_GELF_PORT,
  parseGelfUrl,
  readGraylogEnv,
  type GelfCompression,
  type GelfProtocol,
  type GraylogBackendOptions,
} from './config.js';
export {
  toGelf,
  queuedToGelf,
  shrinkGelf,
  SHORT_MESSAGE_MAX,
  TRUNCATION_MARKER,
  type GelfMessage,
} from './encoder.js';
export { classifyGraylogOutcome, classifyHttpStatus, type GraylogResponse } from './retry.js';
export {
  chunkMessage,
  compress,
  maxUdpMessageBytes,
  createUdpSender,
  createStreamSender,
  createHttpSender,
  type UdpSender,
  type StreamSender,
  type StreamSenderOptions,
  type HttpSender,
  type HttpSenderOptions,
  type HttpResult,
} from './transport.js';

export {
  createLogstashBackend,
  logstashBackendFromEnv,
  type LogstashBackend,
  type LogstashResult,
  type LogstashTcpResult,
} from './backend.js';
export {
  LOGSTASH_ENV,
  LOGSTASH_HTTP_FORMATS,
  LOGSTASH_CONTENT_TYPES,
  DEFAULT_LOGSTASH_HTTP_FORMAT,
  DEFAULT_LOGSTASH_HTTP_LIMITS,
  DEFAULT_LOGSTASH_TCP_LIMITS,
  DEFAULT_LOGSTASH_TIMEOUT_MS,
  logstashConfigured,
  readLogstashEnv,
  validateLogstashOptions,
  logstashUrlProblem,
  parseLogstashUrl,
  type LogstashBackendOptions,
  type LogstashEndpoint,
  type LogstashHttpFormat,
  type LogstashProtocol,
  type LogstashTlsOptions,
} from './config.js';
export {
  createLogstashEncoder,
  encodeJsonArray,
  encodeNdjson,
  logstashOverheadBytes,
  recordJson,
  type LogstashFraming,
  type LogstashPayload,
} from './encoder.js';
export {
  classifyHttpOutcome,
  classifyHttpResponse,
  classifyTcpOutcome,
  describeLogstashError,
  LOGSTASH_AUTH_VARIABLES,
} from './retry.js';
export {
  createLogstashHttpTransport,
  createLogstashTcpTransport,
  tlsConnectionOptions,
  type LogstashHttpResponse,
  type LogstashHttpTransport,
  type LogstashTcpStats,
  type LogstashTcpTransport,
  type LogstashTransportOptions,
} from './transport.js';

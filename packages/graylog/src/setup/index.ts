export {
  createGraylogProvisioner,
  createProvisionerFromEnv,
  defaultIndexPrefix,
  streamTitle,
  type GraylogProvisionerOptions,
} from './provisioner.js';
export {
  GRAYLOG_SETUP_ENV,
  apiBaseUrl,
  parseGelfInputs,
  readGraylogSetupEnv,
  type GelfInputProtocol,
  type GelfInputWish,
  type GraylogApiSettings,
  type GraylogSetupSettings,
} from './env.js';
export { createGraylogApi, describeGraylogError, GraylogApiError, type GraylogApi } from './api.js';
export { filterToGraylogQuery, graylogFieldName, type GraylogQuery } from './query.js';
export {
  eventDefinitionBody,
  eventDefinitionTitle,
  indexSetBody,
  inputBody,
  inputTitle,
  streamBody,
  streamRule,
  type EventDefinitionContext,
  type IndexSetWish,
} from './resources.js';
export { createDiskReportTask, type DiskReportOptions } from './disk-report.js';

export {
  createElkProvisioner,
  createProvisionerFromEnv,
  ELK_SETUP_ENV,
  type ElkProvisioner,
  type ElkProvisionerKibanaOptions,
  type ElkProvisionerOptions,
} from './provisioner.js';
export {
  createIndexSetup,
  templateDifferences,
  DEFAULT_TEMPLATE_PRIORITY,
  MANAGED_BY,
  type IndexSetup,
  type IndexSetupOptions,
  type RetentionMode,
} from './index-setup.js';
export { resolveTarget, type IndexTargetSpec, type ResolvedTarget } from './index-naming.js';
export {
  mappingsFor,
  exactFieldFor,
  MESSAGE_KEYWORD_IGNORE_ABOVE,
  STRING_IGNORE_ABOVE,
} from './mappings.js';
export {
  createDiskCheckTask,
  parseWatermark,
  overWatermark,
  readNodeDisks,
  readWatermarks,
  WATERMARK_LEVELS,
  type DiskCheckOptions,
  type NodeDisk,
  type Watermark,
  type WatermarkLevel,
} from './disk-check.js';
export {
  filterToEsQuery,
  jsRegexToLucene,
  FilterTranslationError,
  type EsQuery,
  type FilterTranslationOptions,
} from './filter-to-es-query.js';
export {
  createFetchSearchApi,
  searchApiFromTransport,
  type FetchSearchApiOptions,
  type SearchApi,
  type SearchApiResponse,
  type SearchFlavor,
} from './search-api.js';
export {
  createKibanaClient,
  encodeKibanaApiKey,
  type KibanaAuth,
  type KibanaClient,
  type KibanaConnectionOptions,
  type KibanaMethod,
  type KibanaRequestOptions,
  type KibanaResponse,
} from './kibana-client.js';
export { createKibanaSetup, ruleDifferences, type KibanaSetupOptions } from './kibana.js';
export {
  buildSavedObjects,
  toNdjson,
  hashOf,
  type KibanaObjectsOptions,
  type SavedObject,
  type SavedSearchSpec,
} from './kibana-objects.js';
export {
  buildRuleSpecs,
  buildRuleSpec,
  ruleIdFor,
  RULE_TYPE_ID,
  DEFAULT_CONSUMER,
  DEFAULT_DISK_INDICES,
  DISK_USED_RATIO_FIELD,
  ES_QUERY_ACTION_GROUP,
  SUPPORTED_CONNECTOR_TYPES,
  type ConnectorRef,
  type RuleBuildOptions,
  type RuleSpec,
} from './rules.js';
export { deterministicUuid } from './ids.js';

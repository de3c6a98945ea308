export {
  createRecordMapper,
  type MappingOptions,
  type MappedRecord,
  type RecordMapper,
} from './map-record.js';
export { toIsoTimestamp } from './timestamp.js';
export { normalizeLevel, severityNumber, isSeverity } from './levels.js';
export { PROTECTED_KEYS } from './protected-keys.js';
export { ECS_VERSION } from './ecs-record.js';

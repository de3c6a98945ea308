export {
  createCloudWatchProvisioner,
  createProvisionerFromEnv,
  CLOUDWATCH_SETUP_ENV,
  DEFAULT_DASHBOARD_NAME,
  DEFAULT_METRIC_NAMESPACE,
  FILTER_PREFIX,
  type CloudWatchProvisionerOptions,
} from './provisioner.js';
export { RETENTION_DAYS, snapRetentionDays } from './retention.js';
export { filterToPattern, filterToInsights, type PatternResult } from './filter-pattern.js';
export { dashboardBody, type DashboardAlert, type DashboardOptions } from './dashboard.js';

import { hostname } from 'node:os';
import {
  createRecordMapper,
  createRedactor,
  type AlertEvaluator,
  type Env,
  type Schema,
} from '@lms-logging/core';
import TransportStream from 'winston-transport';

/**
 * A winston transport that maps each record exactly as the shipper does and feeds core's local
 * alert evaluator: the demo shows which alerts would fire without a server.
 */
export class AlertTap extends TransportStream {
  private readonly map;
  lastMapped: Record<string, unknown> | undefined;

  constructor(
    private readonly evaluator: AlertEvaluator,
    env: Env,
  ) {
    super();
    this.map = createRecordMapper({
      schema: (env.LMS_LOG_SCHEMA as Schema | undefined) ?? 'lms',
      environment: env.ENVIRONMENT ?? 'production',
      service: env.LMS_SERVICE_NAME ?? 'lms-backend',
      hostName: hostname(),
      redactor: env.LMS_LOG_REDACT === 'false' ? undefined : createRedactor(),
    });
  }

  override log(info: unknown, callback: () => void): void {
    const { record } = this.map(info);
    this.lastMapped = record;
    this.evaluator.observe(record);
    callback();
  }
}

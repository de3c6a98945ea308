// The core alert filters as Graylog search queries over the field names GELF encoding produces.
import { defaultAlertDefinitions, type LogCountAlert } from '@lms-logging/core';
import { describe, expect, it } from 'vitest';
import { filterToGraylogQuery, graylogFieldName } from '../../src/index.js';

const byId = (schema: 'lms' | 'ecs', id: string): LogCountAlert =>
  defaultAlertDefinitions({ schema }).find((d) => d.id === id) as LogCountAlert;

describe('Graylog field names', () => {
  it('follows the GELF encoder: level, source, timestamp and flattened nested fields', () => {
    expect(graylogFieldName('log_level')).toBe('level');
    expect(graylogFieldName('log.level')).toBe('level');
    expect(graylogFieldName('host.name')).toBe('source');
    expect(graylogFieldName('@timestamp')).toBe('timestamp');
    expect(graylogFieldName('http.response.status_code')).toBe('http_response_status_code');
    expect(graylogFieldName('id')).toBe('record_id');
    expect(graylogFieldName('user email')).toBe('user_email');
  });
});

describe('filterToGraylogQuery', () => {
  it('turns the level names of the error-rate alert into GELF syslog severities', () => {
    expect(filterToGraylogQuery(byId('lms', 'error-rate').filter)).toEqual({
      query: 'level:(3 OR 2)',
      warnings: [],
    });
  });

  it('uses range syntax for status and duration limits, with the ECS field names flattened', () => {
    expect(filterToGraylogQuery(byId('lms', 'http-5xx').filter).query).toBe('status_code:>=500');
    expect(filterToGraylogQuery(byId('lms', 'slow-responses').filter).query).toBe(
      'duration_ms:>2000',
    );
    expect(filterToGraylogQuery(byId('ecs', 'http-5xx').filter).query).toBe(
      'http_response_status_code:>=500',
    );
    expect(filterToGraylogQuery(byId('ecs', 'slow-responses').filter).query).toBe(
      'event_duration:>2000000000',
    );
  });

  it('turns a literal alternation into phrase queries, so it stays case-insensitive on message', () => {
    expect(filterToGraylogQuery(byId('lms', 'auth-failures').filter)).toEqual({
      query:
        '(event:"auth.failure") OR ((message:"authentication failed") OR (message:"login failed") OR (message:"invalid credentials"))',
      warnings: [],
    });
  });

  it('keeps other regexes as an unanchored Lucene regex and says what that costs', () => {
    const { query, warnings } = filterToGraylogQuery({
      field: 'url',
      op: 'matches',
      value: '^/api/v[0-9]+/grades',
    });
    expect(query).toBe('url:/.*(^\\/api\\/v[0-9]+\\/grades).*/');
    expect(warnings[0]).toMatch(/case-sensitive/);
  });

  it('quotes and escapes string values, and maps empty groups to never / always', () => {
    expect(
      filterToGraylogQuery({
        op: 'all',
        of: [
          { field: 'course.title', op: 'eq', value: 'Intro "C" \\ B' },
          { field: 'flagged', op: 'eq', value: true },
          { op: 'any', of: [] },
        ],
      }).query,
    ).toBe(
      '(course_title:"Intro \\"C\\" \\\\ B") AND (flagged:"true") AND (_exists_:lms_match_nothing)',
    );
    expect(filterToGraylogQuery({ op: 'all', of: [] }).query).toBe('*');
  });
});

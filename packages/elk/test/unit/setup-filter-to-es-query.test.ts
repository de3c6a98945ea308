import { describe, expect, it } from 'vitest';
import { defaultAlertDefinitions, type Filter } from '@lms-logging/core';
import {
  exactFieldFor,
  filterToEsQuery,
  FilterTranslationError,
  jsRegexToLucene,
} from '../../src/setup/index.js';

const exact = { exactField: (field: string) => exactFieldFor('lms', field) };

describe('filterToEsQuery', () => {
  it('translates each operator', () => {
    expect(filterToEsQuery({ field: 'event', op: 'eq', value: 'auth.failure' })).toEqual({
      term: { event: { value: 'auth.failure' } },
    });
    expect(filterToEsQuery({ field: 'log_level', op: 'in', value: ['error', 'fatal'] })).toEqual({
      terms: { log_level: ['error', 'fatal'] },
    });
    for (const op of ['gte', 'gt', 'lte', 'lt'] as const) {
      expect(filterToEsQuery({ field: 'status_code', op, value: 500 })).toEqual({
        range: { status_code: { [op]: 500 } },
      });
    }
    expect(
      filterToEsQuery({ field: 'message', op: 'matches', value: 'login failed' }, exact),
    ).toEqual({
      regexp: {
        'message.keyword': {
          value: '.*([lL][oO][gG][iI][nN] [fF][aA][iI][lL][eE][dD]).*',
          case_insensitive: true,
          flags: 'NONE',
          max_determinized_states: 10000,
        },
      },
    });
  });

  it('any is a should with minimum_should_match 1, all a filter; empty lists never / always match', () => {
    const a: Filter = { field: 'a', op: 'eq', value: 1 };
    const b: Filter = { field: 'b', op: 'eq', value: 2 };
    expect(filterToEsQuery({ op: 'any', of: [a, b] })).toEqual({
      bool: {
        should: [{ term: { a: { value: 1 } } }, { term: { b: { value: 2 } } }],
        minimum_should_match: 1,
      },
    });
    expect(filterToEsQuery({ op: 'all', of: [a, b] })).toEqual({
      bool: { filter: [{ term: { a: { value: 1 } } }, { term: { b: { value: 2 } } }] },
    });
    expect(filterToEsQuery({ op: 'any', of: [] })).toEqual({ match_none: {} });
    expect(filterToEsQuery({ op: 'all', of: [] })).toEqual({ match_all: {} });
    expect(filterToEsQuery({ op: 'all', of: [a] })).toEqual({ term: { a: { value: 1 } } });
  });

  it('the default auth alert counts a record matching both forms once (one should)', () => {
    const auth = defaultAlertDefinitions().find((d) => d.id === 'auth-failures')!;
    const query = filterToEsQuery(
      auth.kind === 'log-count' ? auth.filter : { op: 'all', of: [] },
      exact,
    );
    expect(query).toMatchObject({
      bool: {
        minimum_should_match: 1,
        should: [
          { term: { event: { value: 'auth.failure' } } },
          { regexp: { 'message.keyword': {} } },
        ],
      },
    });
  });

  it('ECS field names use the ECS keyword subfields', () => {
    const errors = defaultAlertDefinitions({ schema: 'ecs' }).find(
      (d) => d.id === 'slow-responses',
    )!;
    expect(
      filterToEsQuery(errors.kind === 'log-count' ? errors.filter : { op: 'all', of: [] }),
    ).toEqual({
      range: { 'event.duration': { gt: 2_000_000_000 } },
    });
  });
});

describe('jsRegexToLucene', () => {
  it('wraps unanchored alternatives and honours ^ and $ at their ends', () => {
    expect(jsRegexToLucene('ab|^c|d$')).toBe('(.*([aA][bB]).*)|(([cC]).*)|(.*([dD]))');
  });

  it("keeps JavaScript's meaning of ., classes, shorthands and escapes", () => {
    expect(jsRegexToLucene('a.b')).toBe('.*([aA][^\n\r\u2028\u2029][bB]).*');
    expect(jsRegexToLucene('[a-c]')).toBe('.*([a-cA-C]).*');
    expect(jsRegexToLucene('\\d+')).toBe('.*([0-9]+).*');
    expect(jsRegexToLucene('1\\.0')).toBe('.*(1\\.0).*');
    expect(jsRegexToLucene('(?:x|y){2,3}')).toBe('.*(([xX]|[yY]){2,3}).*');
    // Lucene's optional operators are escaped: @ & < > ~ # and " are literals.
    expect(jsRegexToLucene('a@b<c>~"#&')).toBe('.*([aA]\\@[bB]\\<[cC]\\>\\~\\"\\#\\&).*');
  });

  it('refuses what Lucene cannot express exactly', () => {
    for (const source of ['\\bword', 'a(?=b)', '(a)\\1', 'a^b', 'x$y']) {
      expect(() => jsRegexToLucene(source), source).toThrow(FilterTranslationError);
    }
  });
});

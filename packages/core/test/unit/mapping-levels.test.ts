import { describe, it, expect } from 'vitest';
import { isSeverity, normalizeLevel, severityNumber } from '../../src/mapping/index.js';
import { SEVERITIES } from '../../src/record.js';

describe('normalizeLevel', () => {
  it.each([
    // winston npm levels
    ['error', 'error'],
    ['warn', 'warn'],
    ['info', 'info'],
    ['http', 'info'],
    ['verbose', 'debug'],
    ['debug', 'debug'],
    ['silly', 'trace'],
    // winston syslog levels
    ['emerg', 'fatal'],
    ['alert', 'fatal'],
    ['crit', 'fatal'],
    ['warning', 'warn'],
    ['notice', 'info'],
    // winston cli levels
    ['help', 'info'],
    ['data', 'info'],
    ['prompt', 'debug'],
    ['input', 'debug'],
    // pino labels
    ['trace', 'trace'],
    ['fatal', 'fatal'],
    // other spellings
    ['critical', 'fatal'],
    ['emergency', 'fatal'],
    ['err', 'error'],
    ['information', 'info'],
  ])('maps %s to %s', (level, expected) => {
    expect(normalizeLevel(level)).toBe(expected);
  });

  it('ignores case and surrounding space', () => {
    expect(normalizeLevel('WARN')).toBe('warn');
    expect(normalizeLevel(' Error ')).toBe('error');
  });

  it('strips the ANSI colors of winston.format.colorize()', () => {
    expect(normalizeLevel('\u001b[31merror\u001b[39m')).toBe('error');
    expect(normalizeLevel('\u001b[33mwarn\u001b[39m')).toBe('warn');
    expect(normalizeLevel('\u001b[1m\u001b[32minfo\u001b[39m\u001b[22m')).toBe('info');
    expect(normalizeLevel('\u001b[35maudit\u001b[39m')).toBe('audit');
  });

  it.each([
    [10, 'trace'],
    [20, 'debug'],
    [30, 'info'],
    [40, 'warn'],
    [50, 'error'],
    [60, 'fatal'],
    [35, 'info'],
    [55, 'error'],
    [70, 'fatal'],
    [5, 'trace'],
    [0, 'trace'],
    [Infinity, 'fatal'],
    ['30', 'info'],
    ['50', 'error'],
  ])('maps pino level %s to %s', (level, expected) => {
    expect(normalizeLevel(level)).toBe(expected);
  });

  it('passes custom levels through, trimmed and lower-cased', () => {
    expect(normalizeLevel('AUDIT')).toBe('audit');
    expect(normalizeLevel('  Security ')).toBe('security');
  });

  it('uses info when the level is missing or not text', () => {
    expect(normalizeLevel(undefined)).toBe('info');
    expect(normalizeLevel(null)).toBe('info');
    expect(normalizeLevel('')).toBe('info');
    expect(normalizeLevel('  ')).toBe('info');
    expect(normalizeLevel(NaN)).toBe('info');
    expect(normalizeLevel({ level: 'error' })).toBe('info');
    expect(normalizeLevel(true)).toBe('info');
  });
});

describe('severityNumber', () => {
  it('maps every severity to its syslog number', () => {
    expect(SEVERITIES.map(severityNumber)).toEqual([7, 7, 6, 4, 3, 2]);
    expect(SEVERITIES.every(isSeverity)).toBe(true);
  });

  it('counts custom levels as info', () => {
    expect(severityNumber('audit')).toBe(6);
    expect(isSeverity('audit')).toBe(false);
    expect(isSeverity('constructor')).toBe(false);
  });
});

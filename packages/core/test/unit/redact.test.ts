import { describe, it, expect } from 'vitest';
import {
  createRedactor,
  DEFAULT_SENSITIVE_KEYS,
  normalizeKey,
  passesLuhn,
  type Redactor,
} from '../../src/redact/index.js';
import { sanitize } from '../../src/serialize/index.js';

function defaultRedactor(): Redactor {
  const redactor = createRedactor();
  if (redactor === undefined) throw new Error('redaction is on by default');
  return redactor;
}

describe('createRedactor: keys', () => {
  const redactor = defaultRedactor();

  it.each([
    'password',
    'Password',
    'PASSWORD',
    'user_password',
    'new-password',
    'passwd',
    'pwd',
    'password_confirmation',
    'secret',
    'db_secret',
    'client_secret',
    'clientSecret',
    'token',
    'access_token',
    'refresh_token',
    'csrf-token',
    'idToken',
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'Set-Cookie',
    'api_key',
    'apiKey',
    'x-api-key',
    'X-API-KEY',
    'private_key',
    'session_id',
    'sessionId',
    'credentials',
    'ssn',
    'card_number',
    'cvv',
  ])('redacts %s', (key) => {
    expect(redactor.redactKey(key)).toBe(true);
  });

  it.each([
    'token_count',
    'tokens',
    'secretary',
    'password_changed_at',
    'user_id',
    'key',
    'cache_key',
    'status_code',
    'message',
    'cookie_consent',
    '',
    '—',
  ])('keeps %s', (key) => {
    expect(redactor.redactKey(key)).toBe(false);
  });

  it('normalizes case and separators', () => {
    expect(normalizeKey('X-Api_Key.v2')).toBe('xapikeyv2');
    expect(DEFAULT_SENSITIVE_KEYS).toContain('password');
    expect(DEFAULT_SENSITIVE_KEYS).toContain('x-api-key');
  });

  it('adds extra keys with the same suffix rule', () => {
    const custom = createRedactor({ keys: ['student_number', 'grade'] })!;
    expect(custom.redactKey('student_number')).toBe(true);
    expect(custom.redactKey('StudentNumber')).toBe(true);
    expect(custom.redactKey('final_grade')).toBe(true);
    expect(custom.redactKey('grade_count')).toBe(false);
    expect(custom.redactKey('password')).toBe(true);
  });

  it('lets the allow-list win over default and extra keys', () => {
    const custom = createRedactor({
      keys: ['grade'],
      allowKeys: ['csrf_token', 'Grade', 'x-api-key'],
    })!;
    expect(custom.redactKey('csrf_token')).toBe(false);
    expect(custom.redactKey('csrfToken')).toBe(false);
    expect(custom.redactKey('grade')).toBe(false);
    expect(custom.redactKey('X-Api-Key')).toBe(false);
    expect(custom.redactKey('api_key')).toBe(true);
    expect(custom.redactKey('final_grade')).toBe(true);
  });

  it('keeps deciding correctly past the bounded decision cache', () => {
    for (let i = 0; i < 5000; i += 1) {
      expect(redactor.redactKey(`field_${i}`)).toBe(false);
      expect(redactor.redactKey(`field_${i}_token`)).toBe(true);
    }
    expect(redactor.redactKey('password')).toBe(true);
  });
});

describe('createRedactor: strings', () => {
  const { redactString } = defaultRedactor();

  it('returns strings that cannot contain a match unchanged', () => {
    const text = 'GET /api/courses/12/modules 200 in 35 ms';
    expect(redactString(text)).toBe(text);
  });

  it('masks e-mail local parts and keeps the domain', () => {
    expect(redactString('login failed for jane.doe+lms@uni.example.edu today')).toBe(
      'login failed for ***@uni.example.edu today',
    );
    expect(redactString('a@b.io, c_d@e.org')).toBe('***@b.io, ***@e.org');
    expect(redactString('user@localhost and @mention')).toBe('user@localhost and @mention');
  });

  it('masks bearer tokens, JWTs and URL passwords', () => {
    expect(redactString('Authorization: Bearer abc.DEF-123_xyz~+/=')).toBe(
      'Authorization: Bearer [REDACTED]',
    );
    expect(redactString('bearer 0123456789abcdef')).toBe('bearer [REDACTED]');
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(redactString(`token=${jwt}; path=/`)).toBe('token=[JWT]; path=/');
    expect(redactString(`Bearer ${jwt}`)).toBe('Bearer [REDACTED]');
    expect(redactString('postgres://lms:s3cr3t@db.internal:5432/lms')).toBe(
      'postgres://lms:[REDACTED]@db.internal:5432/lms',
    );
  });

  it('masks Luhn-valid card numbers, plain or grouped', () => {
    expect(redactString('card 4111111111111111 charged')).toBe('card [CARD] charged');
    expect(redactString('card 4111 1111 1111 1111.')).toBe('card [CARD].');
    expect(redactString('card 5555-5555-5555-4444')).toBe('card [CARD]');
    expect(redactString('amex 378282246310005')).toBe('amex [CARD]');
    expect(redactString('4111 1111 1111 1111 123')).toBe('[CARD] 123');
  });

  it('finds a card wherever it sits in a string', () => {
    // The pre-check probes every 13th character; a card must be found at any offset.
    for (let offset = 0; offset < 40; offset += 1) {
      const pad = 'x'.repeat(offset);
      expect(redactString(`${pad} 4111 1111 1111 1111 ${pad}`)).toBe(`${pad} [CARD] ${pad}`);
      expect(redactString(`${pad}4222222222222`)).toBe(`${pad}[CARD]`);
      expect(redactString(`4222222222222${pad}`)).toBe(`[CARD]${pad}`);
    }
  });

  it('keeps digit runs that are not cards', () => {
    // Fails Luhn: an order id.
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(redactString('order 4111111111111112 shipped')).toBe('order 4111111111111112 shipped');
    expect(redactString('order 2024061512345678')).toBe('order 2024061512345678');
    // Passes Luhn and starts like a card: masked, the accepted false positive.
    expect(redactString('ref 2024061512345679')).toBe('ref [CARD]');
    // Passes Luhn but starts with 1, like every epoch-millisecond timestamp until 2286.
    expect(passesLuhn('1764448634121')).toBe(true);
    expect(redactString('at 1764448634121')).toBe('at 1764448634121');
    // More than 19 digits is no card even if a part of it would be.
    expect(redactString('id 41111111111111110000')).toBe('id 41111111111111110000');
    expect(redactString('id 12')).toBe('id 12');
  });

  it('applies extra patterns everywhere, with or without the global flag', () => {
    const custom = createRedactor({
      patterns: [/STU-\d{6}/, { pattern: /grade [A-F]/gi, replacement: 'grade [HIDDEN]' }],
    })!;
    expect(custom.redactString('STU-123456 and STU-654321: Grade B')).toBe(
      '[REDACTED] and [REDACTED]: grade [HIDDEN]',
    );
  });

  it('switches each mask off on its own', () => {
    const noEmails = createRedactor({ maskEmails: false })!;
    expect(noEmails.redactString('jane@uni.edu')).toBe('jane@uni.edu');
    const noCards = createRedactor({ maskCards: false })!;
    expect(noCards.redactString('4111111111111111')).toBe('4111111111111111');
    const noTokens = createRedactor({ maskTokens: false })!;
    expect(noTokens.redactString('Bearer 0123456789abcdef')).toBe('Bearer 0123456789abcdef');
    expect(noTokens.redactString('jane@uni.edu')).toBe('***@uni.edu');
    const nothing = createRedactor({ maskEmails: false, maskCards: false, maskTokens: false })!;
    expect(nothing.redactString('jane@uni.edu 4111111111111111')).toBe(
      'jane@uni.edu 4111111111111111',
    );
    expect(nothing.redactKey('password')).toBe(true);
  });

  it('is off entirely with enabled: false', () => {
    expect(createRedactor({ enabled: false })).toBeUndefined();
  });

  it('stays linear on long hostile strings', () => {
    const hostile = [
      `${'a'.repeat(40_000)}@`,
      `x@${'a.'.repeat(20_000)}`,
      `${'4 '.repeat(20_000)}`,
      `${'eyJa'.repeat(10_000)}.eyJ`,
      `Bearer ${'a'.repeat(40_000)}`,
      `http://${'a'.repeat(20_000)}:${'b'.repeat(20_000)}`,
    ];
    const started = performance.now();
    for (const text of hostile) redactString(text);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('redaction inside sanitize', () => {
  it('redacts keys and strings of a whole record in one walk', () => {
    const redactor = createRedactor();
    const { value } = sanitize(
      {
        message: 'reset link sent to jane@uni.edu',
        password: 'hunter2',
        headers: { Authorization: 'Bearer abcdefghijkl', 'x-request-id': 'r-1' },
        payment: { card: '4111 1111 1111 1111', amount: 12 },
        token_count: 512,
      },
      { redactor },
    );
    expect(value).toEqual({
      message: 'reset link sent to ***@uni.edu',
      password: '[REDACTED]',
      headers: { Authorization: '[REDACTED]', 'x-request-id': 'r-1' },
      payment: { card: '[CARD]', amount: 12 },
      token_count: 512,
    });
  });
});

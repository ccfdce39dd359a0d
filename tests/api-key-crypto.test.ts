import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// The real node:crypto, with timingSafeEqual watched: comparisons must go through it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const { generateApiKey, hashApiKey, secretsEqual, verifyApiKey } = await import('../src/auth/api-key-crypto.js');
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

describe('API key hashing', () => {
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('uses scrypt with a fresh 16-byte salt and at least 16 MiB of work memory (N=16384, r=8)', async () => {
    const { key } = generateApiKey();
    const [a, b] = [await hashApiKey(key), await hashApiKey(key)];
    expect(a).not.toBe(b);
    const [scheme, n, r, p, salt, hash] = a.split('$');
    expect(scheme).toBe('scrypt');
    expect(Number(n)).toBeGreaterThanOrEqual(16384);
    expect(128 * Number(n) * Number(r)).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(Number(p)).toBeGreaterThanOrEqual(1);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(32);
  });

  it('is slow to check: each guess pays the KDF', async () => {
    const { key } = generateApiKey();
    const stored = await hashApiKey(key);
    const started = performance.now();
    for (let i = 0; i < 3; i++) expect(await verifyApiKey(generateApiKey().key, stored)).toBe(false);
    expect((performance.now() - started) / 3).toBeGreaterThan(5); // ~20–60 ms on a server core; a fast hash is microseconds
  });

  it('compares the derived bytes in constant time, for right and wrong keys alike', async () => {
    const { key } = generateApiKey();
    const stored = await hashApiKey(key);
    expect(await verifyApiKey(key, stored)).toBe(true);
    expect(await verifyApiKey(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'), stored)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
    for (const [x, y] of timingSafeEqual.mock.calls) {
      expect((x as Buffer).length).toBe(32);
      expect((y as Buffer).length).toBe(32);
    }
  });

  it('compares the admin key from the environment in constant time, whatever the lengths', () => {
    expect(secretsEqual('test-admin-key-0123456789abcdef', 'test-admin-key-0123456789abcdef')).toBe(true);
    expect(secretsEqual('test-admin-key-0123456789abcdef', 'short')).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it('refuses a stored hash whose parameters were weakened or are malformed', async () => {
    const { key } = generateApiKey();
    const salt = crypto.randomBytes(16);
    const weak = crypto.scryptSync(key, salt, 32, { N: 2, r: 1, p: 1 });
    expect(await verifyApiKey(key, ['scrypt', 2, 1, 1, salt.toString('base64'), weak.toString('base64')].join('$'))).toBe(false);
    const stored = await hashApiKey(key);
    const parts = stored.split('$');
    for (const bad of [
      ['bcrypt', ...parts.slice(1)],
      [parts[0], 'abc', ...parts.slice(2)],
      [parts[0], String(1 << 30), ...parts.slice(2)],
      [...parts.slice(0, 5), Buffer.alloc(8).toString('base64')],
      [...parts, 'extra'],
    ]) {
      expect(await verifyApiKey(key, bad.join('$'))).toBe(false);
    }
    expect(await verifyApiKey(key, stored)).toBe(true);
  });
});

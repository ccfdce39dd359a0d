import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// Keys look like `vak_<12 hex prefix>_<43 base64url secret>`. The prefix is stored in clear to
// find the row; the whole key is stored only as a scrypt hash (a slow KDF, so a stolen database
// does not give usable keys).
const KEY_PATTERN = /^vak_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const SCRYPT = { N: 1 << 14, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, keylen, options, (err, derived) => (err ? reject(err) : resolve(derived))),
  );
}

export function generateApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(6).toString('hex');
  return { key: `vak_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

/** The lookup prefix of a well-formed key, or undefined for anything else. */
export function apiKeyPrefix(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

export async function hashApiKey(key: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keylen } = SCRYPT;
  const derived = await scryptAsync(key, salt, keylen, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, r, p, salt.toString('base64'), derived.toString('base64')].join('$');
}

/**
 * Whether `key` is the one `stored` was made from. The hash's own parameters are used, but never
 * weaker than SCRYPT (a row edited to N=2 would make keys cheap to guess) nor absurdly costly; the
 * derived bytes are compared in constant time.
 */
export async function verifyApiKey(key: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash || rest.length > 0) return false;
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  const isPowerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!isPowerOfTwo || N < SCRYPT.N || N > 1 << 20 || !Number.isInteger(R) || R < SCRYPT.r || R > 32 || !Number.isInteger(P) || P < SCRYPT.p || P > 16) return false;
  const expected = Buffer.from(hash, 'base64');
  if (expected.length !== SCRYPT.keylen) return false;
  let derived: Buffer;
  try {
    derived = await scryptAsync(key, Buffer.from(salt, 'base64'), expected.length, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  } catch {
    return false; // parameters beyond the memory bound
  }
  return timingSafeEqual(derived, expected);
}

/** Constant-time comparison of two secrets of any length (compares their digests). */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** A fast, non-reversible fingerprint used only as an in-memory cache key. */
export function fingerprint(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for secrets the server must be able to read back (a tenant's webhook signing
 * secret: HMAC needs the clear value, so it cannot be hashed like an API key).
 *
 * AES-256-GCM with a random 96-bit IV per value. A sealed value is
 * `v1:<iv>:<tag>:<ciphertext>`, each part base64url; the version prefix leaves room for another
 * algorithm or key later. The associated data names where the value lives (table, column and the
 * row's owner), so a ciphertext copied into another tenant's row or another column does not open.
 */
export const SEALED_PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRETS_KEY_BYTES = 32;

/** Thrown when a sealed value does not open: wrong key, tampered, moved, or not a sealed value. */
export class SecretDecryptError extends Error {
  constructor(message = 'the secret could not be decrypted (wrong SECRETS_KEY, or the stored value was altered)') {
    super(message);
    this.name = 'SecretDecryptError';
  }
}

/** Where a secret is stored: the associated data that binds a ciphertext to its row and column. */
export function secretContext(table: string, column: string, ownerId: string): string {
  return `${table}.${column}\u0000${ownerId}`;
}

export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/**
 * SECRETS_KEY's value as 32 bytes: 64 hex characters, or base64 / base64url (43 or 44
 * characters). Undefined for anything else; the caller names the variable, never the value.
 */
export function parseSecretsKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === SECRETS_KEY_BYTES) return key;
  }
  return undefined;
}

export const SECRETS_KEY_FORMAT = 'must be 32 bytes, written as 64 hex characters or as base64 (e.g. `openssl rand -base64 32`)';

export class SecretBox {
  // A private field: the key never shows in util.inspect, JSON or an error's properties.
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== SECRETS_KEY_BYTES) throw new Error(`a secrets key is ${SECRETS_KEY_BYTES} bytes`);
    this.#key = Buffer.from(key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url')).join(':');
  }

  /** The clear value; throws SecretDecryptError unless the value is intact, for this key and this context. */
  open(sealed: string, context: string): string {
    if (!isSealed(sealed)) throw new SecretDecryptError('the stored secret is not encrypted (expected the v1: format)');
    const parts = sealed.slice(SEALED_PREFIX.length).split(':');
    const [iv, tag, ciphertext] = parts.map((p) => (/^[A-Za-z0-9_-]*$/.test(p) ? Buffer.from(p, 'base64url') : undefined));
    if (parts.length !== 3 || !iv || !tag || !ciphertext || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SecretDecryptError('the stored secret is malformed');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptError();
    }
  }
}

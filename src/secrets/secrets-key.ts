import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.js';
import { parseSecretsKey, SECRETS_KEY_BYTES, SECRETS_KEY_FORMAT } from './secret-box.js';

export const SECRETS_KEY_FILE = 'secrets.key';

export interface SecretsKey {
  key: Buffer;
  /** Where it came from: the SECRETS_KEY variable, DATA_DIR/secrets.key, or generated into it just now. */
  source: 'environment' | 'file' | 'created';
  /** The key file (for `file` and `created`). */
  path?: string;
  /** The key file is readable by group or others. */
  looseMode?: boolean;
}

export function secretsKeyPath(dataDir: string): string {
  return join(dataDir, SECRETS_KEY_FILE);
}

/** In words, for messages: which key was used (never its value). */
export function describeKeySource(key: SecretsKey): string {
  return key.source === 'environment' ? 'the SECRETS_KEY variable' : `${key.path} (SECRETS_KEY is unset)`;
}

/** The key the server would use: SECRETS_KEY, else DATA_DIR/secrets.key; undefined when neither exists. */
export function readSecretsKey(configured: Buffer | undefined, dataDir: string): SecretsKey | undefined {
  if (configured) return { key: configured, source: 'environment' };
  const path = secretsKeyPath(dataDir);
  if (!existsSync(path)) return undefined;
  const key = parseSecretsKey(readFileSync(path, 'utf8'));
  if (!key) throw new ConfigError(`Invalid configuration: ${path} does not hold a valid key (like SECRETS_KEY, it ${SECRETS_KEY_FORMAT})`);
  return { key, source: 'file', path, looseMode: (statSync(path).mode & 0o077) !== 0 };
}

/**
 * SECRETS_KEY, or the key in DATA_DIR/secrets.key; at the first start with neither, a random key
 * is written there (mode 0600, created exclusively so two starts cannot race to different keys).
 */
export function loadOrCreateSecretsKey(configured: Buffer | undefined, dataDir: string): SecretsKey {
  const existing = readSecretsKey(configured, dataDir);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true });
  const path = secretsKeyPath(dataDir);
  const key = randomBytes(SECRETS_KEY_BYTES);
  try {
    writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readSecretsKey(undefined, dataDir)!;
    throw error;
  }
  return { key, source: 'created', path };
}

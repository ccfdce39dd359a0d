import { eq, isNotNull } from 'drizzle-orm';
import { ConfigError, type Config } from '../config.js';
import type { DatabaseHandle, Db } from '../db/database.js';
import { tenants } from '../db/schema.js';
import type { Logger } from '../observability/logger.js';
import { isSealed, SecretBox, SecretDecryptError, secretContext } from './secret-box.js';
import { describeKeySource, loadOrCreateSecretsKey, readSecretsKey, secretsKeyPath, type SecretsKey } from './secrets-key.js';

/**
 * Secrets tenants store, encrypted at rest. Today that is the webhook signing secret
 * (tenants.webhook_secret); API keys are hashed instead (auth/api-key-crypto.ts), and provider
 * credentials (Twilio, LLM, speech) come from the environment, not the database.
 */
export const webhookSecretContext = (tenantId: string) => secretContext('tenants', 'webhook_secret', tenantId);

export interface StoredSecretsReport {
  /** Values that were still in clear and are now encrypted. */
  encrypted: number;
  /** Encrypted values that open with the key. */
  verified: number;
  /** Tenants whose encrypted value does not open (altered in the database): their webhooks are refused. */
  unreadable: string[];
}

function countSealedSecrets(db: Db): number {
  return db.select({ secret: tenants.webhookSecret }).from(tenants).where(isNotNull(tenants.webhookSecret)).all().filter((r) => isSealed(r.secret!)).length;
}

/**
 * At start: checks that the key opens what is stored, then encrypts values left in clear (by a
 * version before encryption, or written into the file by hand). A key that opens none of the
 * stored values is the wrong key: a ConfigError naming SECRETS_KEY, before anything is rewritten.
 */
export function sealStoredSecrets(db: Db, box: SecretBox, keyDescription: string): StoredSecretsReport {
  return db.transaction((tx) => {
    const rows = tx.select({ id: tenants.id, secret: tenants.webhookSecret }).from(tenants).where(isNotNull(tenants.webhookSecret)).all();
    const sealed = rows.filter((r) => isSealed(r.secret!));
    const unreadable: string[] = [];
    for (const row of sealed) {
      try {
        box.open(row.secret!, webhookSecretContext(row.id));
      } catch (error) {
        if (!(error instanceof SecretDecryptError)) throw error;
        unreadable.push(row.id);
      }
    }
    if (sealed.length > 0 && unreadable.length === sealed.length) {
      throw new ConfigError(
        `Invalid configuration: SECRETS_KEY is not the key the stored secrets were encrypted with (none of the ${sealed.length} encrypted ` +
          `webhook secrets decrypts with ${keyDescription}). Set SECRETS_KEY to the original key, or put the original secrets.key back into DATA_DIR.`,
      );
    }
    const clear = rows.filter((r) => !isSealed(r.secret!));
    for (const row of clear) {
      tx.update(tenants).set({ webhookSecret: box.seal(row.secret!, webhookSecretContext(row.id)) }).where(eq(tenants.id, row.id)).run();
    }
    return { encrypted: clear.length, verified: sealed.length - unreadable.length, unreadable };
  });
}

/**
 * The server's SecretBox: the key (from SECRETS_KEY, or DATA_DIR/secrets.key, created at the
 * first start), checked against the database and with clear values encrypted. On a wrong key it
 * closes the database and throws a ConfigError, so the process stops at start-up with one line.
 */
export function openSecretStore(config: Config, database: DatabaseHandle, log: Logger): SecretBox {
  let key: SecretsKey;
  let report: StoredSecretsReport;
  let box: SecretBox;
  try {
    // No key anywhere, yet encrypted values stored (a restored backup without its key): say so,
    // rather than generate a new key that cannot open them.
    if (!readSecretsKey(config.secretsKey, config.dataDir) && countSealedSecrets(database.db) > 0) {
      throw new ConfigError(
        `Invalid configuration: SECRETS_KEY is unset and ${secretsKeyPath(config.dataDir)} does not exist, but the database holds encrypted webhook secrets. ` +
          'Set SECRETS_KEY to the key they were encrypted with, or put the original secrets.key back into DATA_DIR.',
      );
    }
    key = loadOrCreateSecretsKey(config.secretsKey, config.dataDir);
    box = new SecretBox(key.key);
    report = sealStoredSecrets(database.db, box, describeKeySource(key));
  } catch (error) {
    database.close();
    throw error;
  }
  if (key.source === 'created') {
    log.warn(
      { event: 'secrets.key_created', path: key.path },
      'No SECRETS_KEY was set, so a key was generated into this file (mode 0600). Back it up apart from the database: the webhook secrets in a backup cannot be read without it.',
    );
  }
  if (key.looseMode) log.warn({ event: 'secrets.key_file_mode', path: key.path }, 'the secrets key file is readable by other users; chmod 600 it');
  if (report.encrypted) log.info({ event: 'secrets.encrypted', count: report.encrypted }, 'secrets stored in clear were encrypted');
  if (report.unreadable.length) {
    log.error(
      { event: 'secrets.unreadable', tenantIds: report.unreadable },
      "some stored webhook secrets do not decrypt (altered in the database); those tenants' webhooks are refused until they set the webhook again",
    );
  }
  return box;
}

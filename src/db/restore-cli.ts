/**
 * Replaces the server's database with a backup. The server must be stopped.
 *
 *   npm run restore -- FILE
 *
 * Refuses while anything has DATA_DIR/app.db open (SQLite's own lock tells: see db/backup.ts).
 * Before touching anything it checks a copy of FILE: `PRAGMA integrity_check`, that it is this
 * server's database, and that SECRETS_KEY (or DATA_DIR/secrets.key) opens its encrypted webhook
 * secrets. The current database is kept as app.db.before-restore (a previous one is replaced).
 * Pending migrations are applied when the server starts. DATA_DIR and SECRETS_KEY may come from .env.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../config.js';
import { parseSecretsKey } from '../secrets/secret-box.js';
import { restoreDatabase } from './backup.js';

const usage = 'usage: npm run restore -- FILE   (with the server stopped)';

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (positionals.length !== 1) throw new Error(`give one backup file\n${usage}`);
  const env = readEnvironment();
  const dataDir = resolve(env.DATA_DIR?.trim() || 'data');
  const configuredKey = env.SECRETS_KEY?.trim() ? parseSecretsKey(env.SECRETS_KEY) : undefined;
  if (env.SECRETS_KEY?.trim() && !configuredKey) throw new Error('SECRETS_KEY must be 32 bytes, written as 64 hex characters or as base64');
  const result = restoreDatabase({ source: resolve(positionals[0]!), dataDir, databasePath: resolve(dataDir, 'app.db'), secretsKey: configuredKey });
  console.log(`restored: ${result.databasePath} (${result.bytes} bytes, integrity_check ok)`);
  if (result.previous) console.log(`the database that was there is kept as ${result.previous}`);
  console.log('start the server to use it');
}

try {
  main();
} catch (error) {
  process.stderr.write(`restore refused: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

/**
 * An online backup of the server's SQLite database, safe while the server runs and writes.
 *
 *   npm run backup -- [--out FILE] [--keep N]
 *
 * Without --out it writes DATA_DIR/backups/app-<UTC timestamp>.db and then keeps the newest N
 * backups there (--keep, default 7; 0 keeps all). With --out it writes FILE (which must not exist)
 * and prunes only when --keep is given, and then only files named app-<timestamp>.db next to FILE.
 * The copy passes `PRAGMA integrity_check` before it is put in place; the path and size are printed.
 * DATA_DIR may come from .env, as for the server. It lives in src/ so that it is built into dist/
 * and runs where only production dependencies are installed (the Docker image).
 *
 * The backup holds webhook secrets encrypted with SECRETS_KEY (or DATA_DIR/secrets.key): keep
 * that key too, somewhere else: a restore needs it.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../config.js';
import { backupDatabase, backupsDir, defaultBackupPath, DEFAULT_KEEP, pruneBackups } from './backup.js';

const usage = 'usage: npm run backup -- [--out FILE] [--keep N]';

function size(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', short: 'o' },
      keep: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 0)) throw new Error(`--keep must be a whole number (0 keeps all)\n${usage}`);
  const env = readEnvironment();
  const dataDir = resolve(env.DATA_DIR?.trim() || 'data');
  const databasePath = resolve(dataDir, 'app.db');
  const dest = values.out ? resolve(values.out) : defaultBackupPath(backupsDir(dataDir));

  const result = await backupDatabase(databasePath, dest);
  console.log(`backup written: ${result.path} (${size(result.bytes)}, ${result.bytes} bytes; integrity_check ok; ${result.durationMs} ms)`);
  const keepN = keep ?? (values.out ? undefined : DEFAULT_KEEP);
  if (keepN) {
    const removed = pruneBackups(dirname(result.path), keepN);
    for (const path of removed) console.log(`removed old backup: ${path}`);
  }
}

main().catch((error) => {
  process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

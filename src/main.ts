import { ConfigError, loadConfig, readEnvironment } from './config.js';
import { createLogger } from './observability/logger.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.message + '\n');
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log);
  if (server.generatedAdminKey) {
    // Printed once, on purpose, outside the JSON log: it is stored only as a hash.
    process.stdout.write(
      `\nNo ADMIN_API_KEY was set, so an admin key was generated. It is shown only this once:\n\n  ${server.generatedAdminKey}\n\n`,
    );
  }
  process.stdout.write(`Voice agent server ready at ${config.publicUrl} (listening on port ${server.port})\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'server.signal', signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  // Found while starting (a SECRETS_KEY that does not open the stored secrets): one line, like a bad variable.
  if (error instanceof ConfigError) {
    process.stderr.write(error.message + '\n');
    process.exit(78);
  }
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

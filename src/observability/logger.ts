import { pino, type DestinationStream, type Logger } from 'pino';
import { maskPhonesInText, REDACTED_FIELDS, serializeError } from './redact.js';

export type { Logger };

/**
 * JSON lines on stdout. Secrets and callers' words never reach the log: auth headers, keys,
 * tokens, secrets and transcripts are censored by field name (REDACTED_FIELDS), errors lose the
 * values of failed queries, and every phone number in a line is masked on its way out (call
 * sites mask with maskPhone() too; the last pass catches what an error message or a URL carries).
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const target = destination ?? process.stdout;
  const masked: DestinationStream = { write: (line: string) => void target.write(maskPhonesInText(line)) };
  return pino(
    {
      level,
      base: { service: 'voice-agent-server' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-twilio-signature"]', ...REDACTED_FIELDS],
        censor: '[redacted]',
      },
    },
    masked,
  );
}


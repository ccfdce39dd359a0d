import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout. Secrets never reach the log: auth headers, keys and tokens are censored,
 * and phone numbers are logged only through maskPhoneNumber().
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'voice-agent-server' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-twilio-signature"]',
          '*.apiKey',
          '*.authToken',
          '*.token',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}

/** "+14155550123" → "+1415…0123": enough to tell calls apart, not enough to dial. */
export function maskPhoneNumber(number: string | null | undefined): string | undefined {
  if (!number) return undefined;
  return number.length <= 8 ? '…' + number.slice(-2) : `${number.slice(0, 5)}…${number.slice(-4)}`;
}

import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line, wherever they appear in a merge object. */
const REDACT = [
  '*.password',
  '*.secretKey',
  '*.secret_key',
  '*.accessKey',
  '*.token',
  '*.refreshToken',
  '*.refresh_token',
  '*.access_token',
  '*.authorization',
  '*.sasl',
  'password',
  'secretKey',
  'token',
];

/** One JSON logger per process; components take `logger.child({ component })`. */
export function createLogger(options: {
  name: string;
  level?: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const opts = { name: options.name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

import { type Logger, pino } from 'pino';
import { type LogFormat, logFormat, prettyDestination } from './log-format.js';

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

/**
 * One logger per process; components take `logger.child({ component })`. JSON lines, or readable lines when
 * the output is a terminal (LOG_FORMAT=json|pretty overrides; pods and files get JSON).
 */
export function createLogger(options: {
  name: string;
  level?: string;
  destination?: NodeJS.WritableStream;
  format?: LogFormat;
}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const opts = { name: options.name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  const out = (options.destination ?? process.stdout) as NodeJS.WritableStream & { isTTY?: boolean };
  if ((options.format ?? logFormat(process.env.LOG_FORMAT, out.isTTY)) === 'pretty')
    return pino(opts, prettyDestination(out));
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

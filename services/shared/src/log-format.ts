// pino writes one JSON object per line; on a terminal a person reads `12:00:01 INFO  lake-writer: message
// key=value ...` instead. Everywhere else (pods, files a collector reads) the JSON stays as it is.

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'name', 'component', 'msg', 'err', 'v']);

export type LogFormat = 'json' | 'pretty';

/** `auto` (LOG_FORMAT unset): readable on a terminal, JSON when the output is a pipe or a file. */
export function logFormat(setting: string | undefined, isTTY: boolean | undefined): LogFormat {
  if (setting === 'json' || setting === 'pretty') return setting;
  return isTTY ? 'pretty' : 'json';
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[\w.:/@+-]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** One pino JSON line as a readable line; anything that is not a pino line passes through as it is. */
export function formatLogLine(line: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number') return line;
  const level = entry.level;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '--:--:--';
  const label = (LEVELS[level] ?? String(level)).padEnd(5);
  const who = [entry.name, entry.component].filter((x) => typeof x === 'string').join('/');
  const fields = Object.entries(entry)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const err = entry.err as { message?: unknown; stack?: unknown } | undefined;
  const error = err
    ? `\n    ${String(err.stack ?? err.message ?? value(err)).replaceAll('\n', '\n    ')}`
    : '';
  const text = `${time} ${label} ${who ? `${who}: ` : ''}${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}${error}`;
  const tint = color ? COLORS[level] : undefined;
  return tint ? `${tint}${text}\x1b[0m` : text;
}

/** A pino destination that writes each line readable to `out` (synchronously: nothing is lost at exit). */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean }): {
  write(chunk: string): boolean;
} {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n'))
        if (line) out.write(`${formatLogLine(line, out.isTTY === true)}\n`);
      return true;
    },
  };
}

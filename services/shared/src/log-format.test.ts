import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatLogLine, logFormat } from './log-format.js';
import { createLogger } from './logging.js';

/** A stream that keeps what is written; `isTTY` as a terminal would set it. */
function capture(isTTY: boolean) {
  const lines: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    }),
    { isTTY },
  );
  return { stream, lines };
}

describe('log lines: readable on a terminal, JSON elsewhere', () => {
  it('chooses by the output unless LOG_FORMAT says', () => {
    expect(logFormat(undefined, true)).toBe('pretty');
    expect(logFormat(undefined, false)).toBe('json');
    expect(logFormat(undefined, undefined)).toBe('json');
    expect(logFormat('json', true)).toBe('json');
    expect(logFormat('pretty', false)).toBe('pretty');
  });

  it('formats a pino line as time, level, who, message and fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 1, 12, 0, 1),
      pid: 1,
      hostname: 'h',
      name: 'lake-writer',
      component: 'store',
      msg: 'retrying a put',
      attempt: 2,
      key: 'bronze/x y.jsonl',
    });
    expect(formatLogLine(line)).toBe(
      '12:00:01 WARN  lake-writer/store: retrying a put  attempt=2 key="bronze/x y.jsonl"',
    );
    expect(formatLogLine(line, true)).toBe(
      '\x1b[33m12:00:01 WARN  lake-writer/store: retrying a put  attempt=2 key="bronze/x y.jsonl"\x1b[0m',
    );
  });

  it('prints an error with its stack indented, and leaves other lines alone', () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'failed',
      err: { message: 'boom', stack: 'Error: boom\n    at x' },
    });
    expect(formatLogLine(line)).toBe('00:00:00 ERROR failed\n    Error: boom\n        at x');
    expect(formatLogLine('plain text from dbt')).toBe('plain text from dbt');
    expect(formatLogLine('{"not":"pino"}')).toBe('{"not":"pino"}');
    expect(formatLogLine('{"level":')).toBe('{"level":');
  });

  it('a logger writes readable lines to a terminal and JSON to a pipe, secrets redacted either way', () => {
    const tty = capture(true);
    createLogger({ name: 'svc', destination: tty.stream }).info({ password: 'hunter2', rows: 3 }, 'loaded');
    expect(tty.lines).toHaveLength(1);
    expect(tty.lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO {2}svc: loaded {2}password="\[redacted\]" rows=3$/);

    const pipe = capture(false);
    createLogger({ name: 'svc', destination: pipe.stream }).info({ password: 'hunter2' }, 'loaded');
    expect(JSON.parse(pipe.lines[0] ?? '')).toMatchObject({
      name: 'svc',
      msg: 'loaded',
      password: '[redacted]',
    });
  });
});

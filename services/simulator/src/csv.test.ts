import { describe, expect, it } from 'vitest';
import { type CsvLimits, CsvReader } from './csv.js';

/** The whole text through one reader, fed in pieces of `piece` characters (every boundary a chunk can fall on). */
function read(text: string, piece = text.length || 1, limits: Partial<CsvLimits> = {}) {
  const reader = new CsvReader(limits);
  const rows: Array<{ line: number; fields: string[] }> = [];
  const problems: Array<{ line: number; reason: string }> = [];
  for (let i = 0; i < text.length; i += piece) {
    const out = reader.push(text.slice(i, i + piece));
    rows.push(...out.rows);
    problems.push(...out.problems);
  }
  const out = reader.end();
  rows.push(...out.rows);
  problems.push(...out.problems);
  return { rows, problems };
}

const RFC_4180 =
  '\ufeffid,name,note\r\n' +
  '1,"Hello, World","said ""hi"""\r\n' +
  '2,"two\nlines",\r\n' +
  '\r\n' +
  '3,plain,"" \n' +
  '4,last,no newline';

describe('CsvReader', () => {
  it('reads RFC 4180: quoted commas, doubled quotes, line breaks in quotes, CRLF, a BOM, blank lines, no final newline', () => {
    expect(read(RFC_4180)).toEqual({
      rows: [
        { line: 1, fields: ['id', 'name', 'note'] },
        { line: 2, fields: ['1', 'Hello, World', 'said "hi"'] },
        { line: 3, fields: ['2', 'two\nlines', ''] },
        { line: 6, fields: ['3', 'plain', ' '] },
        { line: 7, fields: ['4', 'last', 'no newline'] },
      ],
      problems: [],
    });
  });

  it('reads the same records whatever the chunk boundaries', () => {
    const whole = read(RFC_4180);
    for (const piece of [1, 2, 3, 5, 7]) expect(read(RFC_4180, piece)).toEqual(whole);
  });

  it('reports a quote after a closing quote and goes on with the next line', () => {
    expect(read('a,b\n"x"y",2\nok,3\n')).toEqual({
      rows: [
        { line: 1, fields: ['a', 'b'] },
        { line: 3, fields: ['ok', '3'] },
      ],
      problems: [{ line: 2, reason: 'a quote after the closing quote of field 1' }],
    });
  });

  it('reports a quoted field the file ends in', () => {
    expect(read('a,b\n1,"never closed\n2,3\n')).toEqual({
      rows: [{ line: 1, fields: ['a', 'b'] }],
      problems: [{ line: 2, reason: 'a quoted field is never closed (the file ends inside it)' }],
    });
  });

  it('reports a field or a record beyond its limits instead of holding it, and recovers at the next line', () => {
    const long = `a,b\n1,${'x'.repeat(50)}\n2,ok\n${Array.from({ length: 9 }, () => 'f').join(',')}\n3,ok\n`;
    for (const piece of [1, 4, long.length]) {
      expect(read(long, piece, { maxFieldChars: 20, maxFields: 5 })).toEqual({
        rows: [
          { line: 1, fields: ['a', 'b'] },
          { line: 3, fields: ['2', 'ok'] },
          { line: 5, fields: ['3', 'ok'] },
        ],
        problems: [
          { line: 2, reason: 'field 2 is longer than 20 characters' },
          { line: 4, reason: 'more than 5 fields' },
        ],
      });
    }
  });

  it('reads nothing from an empty text or blank lines', () => {
    expect(read('')).toEqual({ rows: [], problems: [] });
    expect(read('\n\r\n\n')).toEqual({ rows: [], problems: [] });
  });
});

import { isUtf8 } from 'node:buffer';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  describeError,
  inspectParsedJsonText,
  isPlainJsonObject,
  type JsonTextRules,
  printable,
} from '@spotify-pipeline/shared';
import type { BronzeTable } from './bronze-tables.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** A line longer than this is quarantined: DuckDB refuses objects over 16 MB, and no contract record is near it. */
const MAX_BRONZE_LINE_BYTES = 1024 * 1024;
const EXCERPT_CHARS = 1000;
/** Output chunk for gunzip: with zlib's 16 KiB default, a 30 MB object takes ~2,000 thread-pool round trips and 2-5x as long. */
const GUNZIP_CHUNK_BYTES = 1024 * 1024;

/** A lake line the loader keeps out of bronze, with why; stored in `bronze._rejected_rows`. */
export interface RejectedRow {
  /** 1-based line number in the object; 0 when the whole object is unreadable. */
  line: number;
  /** Short code, e.g. `duplicate_key`, counted in gold as `load_<code>`. */
  code: string;
  reason: string;
  /** The start of the line, printable. */
  excerpt: string;
}

export interface CheckedObject {
  /** The gzip JSON Lines to load: the original bytes when every line passed, otherwise the passing lines. */
  gzipped: Buffer;
  /** Lines loaded into bronze. */
  rows: number;
  /** Original line number of each loaded line; null when they are 1..rows. */
  lineNumbers: number[] | null;
  rejected: RejectedRow[];
}

/**
 * Splits an object into the lines every warehouse reads the same way and the lines to quarantine. A line is
 * loaded only if it is valid UTF-8, strict JSON (RFC 8259), an object with no repeated key, no NUL, no lone
 * surrogate, numbers written the way both DuckDB and PostgreSQL print them back, scalars where the bronze
 * column holds text, and not absurdly long or deep. Anything else would make DuckDB or PostgreSQL refuse the
 * load (and with it the whole object, on every run) or type the line differently from the other.
 */
export async function checkBronzeObject(gzipped: Buffer, table: BronzeTable): Promise<CheckedObject> {
  let text: Buffer;
  try {
    text = await gunzipBody(gzipped);
  } catch (err) {
    return {
      gzipped: await gzipAsync(Buffer.alloc(0)),
      rows: 0,
      lineNumbers: [],
      rejected: [
        { line: 0, code: 'unreadable_object', reason: `not gzip: ${describeError(err, 200)}`, excerpt: '' },
      ],
    };
  }
  const wholeUtf8 = isUtf8(text);
  const rules = bronzeLineRules(table);
  // Where each loaded line lies in `text`: the body is rewritten from them only when a line was rejected.
  const keptStarts: number[] = [];
  const keptStops: number[] = [];
  const keptNumbers: number[] = [];
  const rejected: RejectedRow[] = [];
  let lineNumber = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf(0x0a, start);
    if (end === -1) end = text.length;
    lineNumber++;
    // A CRLF line ending is still one line; any other raw CR is refused by the JSON check.
    const stop = end > start && text[end - 1] === 0x0d ? end - 1 : end;
    const lineStart = start;
    start = end + 1;
    if (stop === lineStart) continue;
    const problem = checkLine(text, lineStart, stop, wholeUtf8, rules);
    if (problem)
      rejected.push({
        line: lineNumber,
        ...problem,
        excerpt: printable(text.toString('utf8', lineStart, stop), EXCERPT_CHARS),
      });
    else {
      keptStarts.push(lineStart);
      keptStops.push(stop);
      keptNumbers.push(lineNumber);
    }
  }
  const rows = keptNumbers.length;
  const consecutive = keptNumbers.every((n, i) => n === i + 1);
  const lineNumbers = consecutive ? null : keptNumbers;
  if (rejected.length === 0) return { gzipped, rows, lineNumbers, rejected };
  const kept = keptStarts.map((from, i) => text.toString('utf8', from, keptStops[i]));
  return { gzipped: await gzipLines(kept), rows, lineNumbers, rejected };
}

function checkLine(
  text: Buffer,
  start: number,
  stop: number,
  wholeUtf8: boolean,
  rules: JsonTextRules,
): Omit<RejectedRow, 'line' | 'excerpt'> | null {
  if (stop - start > MAX_BRONZE_LINE_BYTES)
    return {
      code: 'line_too_long',
      reason: `line is ${stop - start} bytes; the limit is ${MAX_BRONZE_LINE_BYTES}`,
    };
  if (!wholeUtf8 && !isUtf8(text.subarray(start, stop)))
    return { code: 'not_utf8', reason: 'not valid UTF-8' };
  // Lines a lake writer wrote pass here, on their bytes; anything this pass cannot prove clean is read in full.
  if (isPlainJsonObject(text, start, stop, rules)) return null;
  const line = text.toString('utf8', start, stop);
  // JSON.parse first: it lets the strict pass prove most of the rest clean quickly. A line it refuses goes
  // through the full pass, which names what is wrong.
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const problem = inspectParsedJsonText(line, parsed, rules);
  return problem ? { code: problem.code, reason: problem.message } : null;
}

/** What a line of `table` must be: JSON text with scalars in every text column (arrays only where declared). */
export function bronzeLineRules(table: BronzeTable): JsonTextRules {
  const compound = new Set(table.compoundFields ?? []);
  const fields = new Set(table.fields);
  return {
    maxDepth: 32,
    numbers: 'canonical',
    nestedValue: (key, kind) => {
      if (!fields.has(key)) return null;
      if (compound.has(key)) return kind === 'array' ? null : 'holds an object where a list is expected';
      return `holds ${kind === 'object' ? 'an object' : 'a list'} where the bronze column holds text`;
    },
  };
}

/** gzip JSON Lines of `lines` (level 1: these bodies are rewritten only when some lines were rejected). */
export function gzipLines(lines: readonly string[]): Promise<Buffer> {
  return gzipAsync(lines.length > 0 ? `${lines.join('\n')}\n` : '', { level: 1 });
}

/** A gzip body's bytes, unzipped on libuv's thread pool in 1 MiB output chunks. */
export function gunzipBody(gzipped: Buffer): Promise<Buffer> {
  return gunzipAsync(gzipped, { chunkSize: GUNZIP_CHUNK_BYTES });
}

/** The lines of a gzip JSON Lines body, blank lines dropped. */
export async function gunzipLines(gzipped: Buffer): Promise<string[]> {
  return (await gunzipBody(gzipped))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

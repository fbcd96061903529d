/**
 * What JSON.parse forgives and a warehouse does not. One strict pass over JSON text (RFC 8259, nothing
 * more) that reports the first thing that would make a warehouse refuse the text or read it differently
 * from another warehouse: a repeated key (DuckDB refuses the row, PostgreSQL and JSON.parse keep the last),
 * an escaped NUL (PostgreSQL text cannot hold it), a lone surrogate (both refuse it), a number written as
 * `2e5` or `1000.0` (DuckDB reads `200000.0`, PostgreSQL `200000`), nesting deeper than `maxDepth`
 * (PostgreSQL's stack), and anything that is not JSON at all (DuckDB accepts `NaN` and trailing commas).
 */

type JsonTextProblemCode =
  | 'not_json'
  | 'not_an_object'
  | 'too_deep'
  | 'duplicate_key'
  | 'nul_character'
  | 'lone_surrogate'
  | 'number_form'
  | 'field_kind';

export interface JsonTextProblem {
  code: JsonTextProblemCode;
  /** Short and printable; names the top-level field when there is one. */
  message: string;
}

export interface JsonTextRules {
  /** Objects and arrays nested deeper than this are refused (the top-level object is depth 1). */
  maxDepth: number;
  /**
   * `integer`: every number must be a plain non-negative integer (`0`, `42`), as the event contract's
   * integer fields require. `canonical`: a number must be written the way both DuckDB and PostgreSQL print
   * it back: an integer (`-12`), or a decimal with no exponent and no trailing zero (`57.3`).
   */
  numbers: 'integer' | 'canonical';
  /**
   * Called with each top-level key whose value is an object or a list; returns why that is refused there,
   * or null. Lets a caller require scalars where a warehouse column holds text.
   */
  nestedValue?: (key: string, kind: 'object' | 'array') => string | null;
}

const INTEGER = /^(0|[1-9][0-9]*)$/;
// What ends a run of ordinary string characters: quote, backslash, control character, surrogate.
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are what JSON strings may not hold
const SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/g;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const LOW_ESCAPE = /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/;
const PLAIN = /^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/;
const DECIMAL = /\./;

/** An integer of any length, or a decimal that a double prints back exactly as written (`57.3`, not `0.10`). */
function isCanonicalNumber(literal: string): boolean {
  if (!PLAIN.test(literal)) return false;
  return !DECIMAL.test(literal) || String(Number(literal)) === literal;
}

class Stop extends Error {
  constructor(readonly problem: JsonTextProblem) {
    super(problem.message);
  }
}

class Scanner {
  i = 0;
  /** The top-level key whose value is being read, named in problems. */
  field: string | null = null;

  constructor(
    readonly text: string,
    readonly rules: JsonTextRules,
  ) {}

  at(): string {
    return this.field === null
      ? ''
      : `${this.field.length > 60 ? `${this.field.slice(0, 60)}…` : this.field}: `;
  }
  fail(code: JsonTextProblemCode, message: string): never {
    throw new Stop({ code, message: `${this.at()}${message}` });
  }
  syntax(what: string): never {
    return this.fail('not_json', `not valid JSON: ${what} at position ${this.i}`);
  }

  skipSpace() {
    for (;;) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else return;
    }
  }

  /** Reads a string starting at the opening quote; returns its value only when `keep` (keys). */
  readString(keep: boolean): string {
    const start = ++this.i;
    let escaped = false;
    for (;;) {
      // Jump to the next character that needs a look: the closing quote, an escape, a control character or a
      // surrogate (natively, with the sticky search; ordinary this.text is skipped in one step).
      SPECIAL.lastIndex = this.i;
      const found = SPECIAL.exec(this.text);
      if (found === null) {
        this.i = this.text.length;
        this.syntax('unterminated string');
      }
      this.i = found!.index;
      const c = this.text.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) this.syntax('control character in a string');
      if (c === 0x5c) {
        escaped = true;
        const e = this.text.charCodeAt(this.i + 1);
        if (e === 0x75) {
          const hex = this.text.slice(this.i + 2, this.i + 6);
          if (!HEX4.test(hex)) this.syntax('bad \\u escape');
          const unit = Number.parseInt(hex, 16);
          if (unit === 0) this.fail('nul_character', 'holds a NUL character (\\u0000)');
          this.i += 6;
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (!LOW_ESCAPE.test(this.text.slice(this.i, this.i + 6)))
              this.fail('lone_surrogate', 'holds a lone surrogate (an unpaired \\ud800-\\udbff)');
            this.i += 6;
          } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            this.fail('lone_surrogate', 'holds a lone surrogate (an unpaired \\udc00-\\udfff)');
          }
          continue;
        }
        if (
          e !== 0x22 &&
          e !== 0x5c &&
          e !== 0x2f &&
          e !== 0x62 &&
          e !== 0x66 &&
          e !== 0x6e &&
          e !== 0x72 &&
          e !== 0x74
        )
          this.syntax('bad escape');
        this.i += 2;
        continue;
      }
      if (c <= 0xdbff) {
        const d = this.text.charCodeAt(this.i + 1);
        if (!(d >= 0xdc00 && d <= 0xdfff)) this.fail('lone_surrogate', 'holds a lone surrogate');
        this.i += 2;
        continue;
      }
      this.fail('lone_surrogate', 'holds a lone surrogate');
    }
    const end = this.i++;
    if (!keep) return '';
    const raw = this.text.slice(start, end);
    return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  digits(): void {
    const from = this.i;
    while (this.text.charCodeAt(this.i) >= 0x30 && this.text.charCodeAt(this.i) <= 0x39) this.i++;
    if (this.i === from) this.syntax('bad number');
  }

  readNumber() {
    const start = this.i;
    if (this.text.charCodeAt(this.i) === 0x2d) this.i++;
    if (this.text.charCodeAt(this.i) === 0x30) this.i++;
    else this.digits();
    if (this.text.charCodeAt(this.i) === 0x2e) {
      this.i++;
      this.digits();
    }
    if (this.text.charCodeAt(this.i) === 0x65 || this.text.charCodeAt(this.i) === 0x45) {
      this.i++;
      if (this.text.charCodeAt(this.i) === 0x2b || this.text.charCodeAt(this.i) === 0x2d) this.i++;
      this.digits();
    }
    const literal = this.text.slice(start, this.i);
    if (this.rules.numbers === 'integer' && !INTEGER.test(literal))
      this.fail('number_form', `${literal.slice(0, 30)} is not written as a non-negative integer`);
    if (this.rules.numbers === 'canonical' && !isCanonicalNumber(literal))
      this.fail(
        'number_form',
        `${literal.slice(0, 30)} is not written as a plain number (no exponent, no trailing zero, as a double prints it)`,
      );
  }

  readLiteral(word: string) {
    if (this.text.startsWith(word, this.i)) this.i += word.length;
    else this.syntax('unexpected character');
  }

  readValue(depth: number) {
    this.skipSpace();
    const c = this.text.charCodeAt(this.i);
    if (depth === 1 && this.field !== null && this.rules.nestedValue && (c === 0x7b || c === 0x5b)) {
      const refused = this.rules.nestedValue(this.field, c === 0x7b ? 'object' : 'array');
      if (refused) this.fail('field_kind', refused);
    }
    if (c === 0x7b) this.readObject(depth + 1);
    else if (c === 0x5b) this.readArray(depth + 1);
    else if (c === 0x22) this.readString(false);
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.readNumber();
    else if (c === 0x74) this.readLiteral('true');
    else if (c === 0x66) this.readLiteral('false');
    else if (c === 0x6e) this.readLiteral('null');
    else this.syntax(this.i >= this.text.length ? 'unexpected end' : 'unexpected character');
  }

  readObject(depth: number) {
    if (depth > this.rules.maxDepth) this.fail('too_deep', `nests deeper than ${this.rules.maxDepth} levels`);
    this.i++;
    const keys = new Set<string>();
    this.skipSpace();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.i) !== 0x22) this.syntax('expected a key');
      const key = this.readString(true);
      if (keys.has(key)) {
        if (depth === 1) this.field = key;
        this.fail('duplicate_key', `key "${key.slice(0, 60)}" appears more than once`);
      }
      keys.add(key);
      if (depth === 1) this.field = key;
      this.skipSpace();
      if (this.text.charCodeAt(this.i) !== 0x3a) this.syntax('expected ":"');
      this.i++;
      this.readValue(depth);
      this.skipSpace();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        if (depth === 1) this.field = null;
        return;
      }
      this.syntax('expected "," or "}"');
    }
  }

  readArray(depth: number) {
    if (depth > this.rules.maxDepth) this.fail('too_deep', `nests deeper than ${this.rules.maxDepth} levels`);
    this.i++;
    this.skipSpace();
    if (this.text.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return;
    }
    for (;;) {
      this.readValue(depth);
      this.skipSpace();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return;
      }
      this.syntax('expected "," or "]"');
    }
  }
}

/** The first problem in `text`, or null when it is a JSON object both warehouses read the same way. */
export function inspectJsonText(text: string, rules: JsonTextRules): JsonTextProblem | null {
  // A class, not closures: a closure per call per reader would be most of the cost.
  const scanner = new Scanner(text, rules);
  try {
    scanner.skipSpace();
    if (scanner.text.charCodeAt(scanner.i) !== 0x7b) {
      scanner.readValue(0);
      return { code: 'not_an_object', message: 'is not a JSON object' };
    }
    scanner.readObject(1);
    scanner.skipSpace();
    if (scanner.i < scanner.text.length) scanner.syntax('text after the object');
    return null;
  } catch (err) {
    if (err instanceof Stop) return err.problem;
    return { code: 'not_json', message: 'not valid JSON' };
  }
}

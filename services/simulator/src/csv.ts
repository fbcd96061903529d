/** One CSV record: its fields and the line it starts on (1-based, for messages). */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** A record the reader could not split; the reader goes on with the next line. */
export interface CsvProblem {
  line: number;
  reason: string;
}

export interface CsvLimits {
  /** A longer field is a broken row (a stray quote swallowing the file), not data. */
  maxFieldChars: number;
  maxFields: number;
}

const DEFAULT_LIMITS: CsvLimits = { maxFieldChars: 65_536, maxFields: 512 };

/**
 * RFC 4180 CSV read in chunks, so a file of any size is read in bounded memory: quoted fields may hold commas,
 * doubled quotes and line breaks; CRLF and LF both end a record; a byte-order mark is skipped. A record that
 * breaks a limit is reported as a problem and skipped up to the end of its line.
 */
export class CsvReader {
  private readonly limits: CsvLimits;
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  /** In a quoted field; a quote seen there may be the first of a doubled pair. */
  private inQuotes = false;
  private quoteSeen = false;
  private line = 1;
  private rowLine = 1;
  private skipping: string | undefined;
  private started = false;

  constructor(limits: Partial<CsvLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Feeds text; returns the records completed by it, and the problems met. */
  push(text: string): { rows: CsvRow[]; problems: CsvProblem[] } {
    const rows: CsvRow[] = [];
    const problems: CsvProblem[] = [];
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (this.skipping !== undefined) {
        if (c === '\n') {
          problems.push({ line: this.rowLine, reason: this.skipping });
          this.line++;
          this.reset();
        }
        continue;
      }
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === '"') {
            this.append('"');
            continue;
          }
          this.inQuotes = false; // the quote closed the field; this character follows it
        } else if (c === '"') {
          this.quoteSeen = true;
          continue;
        } else {
          if (c === '\n') this.line++;
          this.append(c);
          continue;
        }
      }
      if (c === ',') this.endField();
      else if (c === '\n') {
        this.endField();
        this.endRow(rows);
        this.line++;
      } else if (c === '\r') {
        // dropped outside quotes: CRLF ends a record like LF
      } else if (c === '"' && this.field.length === 0 && !this.quoted) {
        this.quoted = true;
        this.inQuotes = true;
      } else if (c === '"' && this.quoted) {
        this.fail(`a quote after the closing quote of field ${this.fields.length + 1}`);
      } else this.append(c);
      if (this.skipping === undefined && this.fields.length > this.limits.maxFields) {
        this.fail(`more than ${this.limits.maxFields} fields`);
      }
    }
    return { rows, problems };
  }

  /** Ends the input: the last record needs no line break; an open quote is a problem. */
  end(): { rows: CsvRow[]; problems: CsvProblem[] } {
    const rows: CsvRow[] = [];
    const problems: CsvProblem[] = [];
    if (this.skipping !== undefined) problems.push({ line: this.rowLine, reason: this.skipping });
    else if (this.inQuotes && !this.quoteSeen) {
      problems.push({
        line: this.rowLine,
        reason: 'a quoted field is never closed (the file ends inside it)',
      });
    } else if (this.fields.length > 0 || this.field.length > 0 || this.quoted) {
      this.endField();
      this.endRow(rows);
    }
    this.reset();
    return { rows, problems };
  }

  private append(c: string): void {
    if (this.field.length >= this.limits.maxFieldChars) {
      this.fail(`field ${this.fields.length + 1} is longer than ${this.limits.maxFieldChars} characters`);
      return;
    }
    this.field += c;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.quoted = false;
    this.inQuotes = false;
    this.quoteSeen = false;
  }

  private endRow(rows: CsvRow[]): void {
    // A blank line is no record.
    if (!(this.fields.length === 1 && this.fields[0] === ''))
      rows.push({ line: this.rowLine, fields: this.fields });
    this.fields = [];
    this.rowLine = this.line + 1;
  }

  /** The rest of this record, up to its line's end, is skipped. */
  private fail(reason: string): void {
    this.skipping = reason;
    // A quoted field that broke a limit may span lines; skipping resumes at the next line break either way.
    this.inQuotes = false;
  }

  private reset(): void {
    this.fields = [];
    this.field = '';
    this.quoted = false;
    this.inQuotes = false;
    this.quoteSeen = false;
    this.skipping = undefined;
    this.rowLine = this.line;
  }
}

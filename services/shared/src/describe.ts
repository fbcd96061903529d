/**
 * Error reporting that cannot fail: every function here returns a short printable string for any input
 * (a cyclic or 10,000-deep value, a getter that throws, a 1 MB string) and never throws. A reason that
 * travels with a rejected record (a Kafka header, a log line, a warehouse column) is built only from these.
 */

/** Longest reason a rejected record carries. */
export const MAX_REASON_CHARS = 500;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 and C1 control characters and DEL; tab, CR and LF included: a reason is one line.
const CONTROL = /\p{Cc}/gu;

/** One printable line of at most `max` characters: control characters become `?`, lone surrogates U+FFFD. */
export function printable(text: string, max = MAX_REASON_CHARS): string {
  try {
    // Cut first (cheap on a huge string), then clean; a cut that splits a surrogate pair is cleaned too.
    const cut = text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
    return cut.replace(CONTROL, '?').replace(LONE_SURROGATE, '\uFFFD');
  } catch {
    return '(unprintable text)';
  }
}

/** A short description of any value, e.g. `"abc"`, `[array of 3]`, `{object with 2 keys}`, for reasons. */
export function describeValue(value: unknown, max = 60): string {
  try {
    switch (typeof value) {
      case 'string':
        return printable(`"${value.length > max ? `${value.slice(0, max)}…` : value}"`, max + 3);
      case 'number':
      case 'boolean':
      case 'bigint':
        return printable(String(value), max);
      case 'undefined':
        return 'undefined';
      case 'symbol':
        return '(symbol)';
      case 'function':
        return '(function)';
    }
    if (value === null) return 'null';
    if (Array.isArray(value)) return `[array of ${value.length}]`;
    return `{object with ${Object.keys(value as object).length} keys}`;
  } catch {
    return '(undescribable value)';
  }
}

/** The message of anything thrown, bounded and printable. */
export function describeError(err: unknown, max = MAX_REASON_CHARS): string {
  try {
    if (err instanceof Error) return printable(err.message || err.name, max);
    return printable(typeof err === 'string' ? err : describeValue(err), max);
  } catch {
    return '(an error that cannot be described)';
  }
}

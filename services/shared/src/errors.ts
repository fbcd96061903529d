export interface PipelineErrorOptions {
  /** Trying again can succeed (a dependency did not answer); false for a mistake in input or settings. */
  retriable?: boolean;
  cause?: unknown;
  /** What to do about it, for whoever reads the log line: "mount it from the lake credentials Secret". */
  hint?: string;
}

/**
 * Base of every error the project throws on purpose: a stable `code` per kind (for logs, alerts and
 * tests), the message says what happened, `hint` what to do, and `retriable` tells the one place that owns
 * retry policy (`retry()`) whether trying again can help. A subclass names its code in `static code`.
 */
export class PipelineError extends Error {
  static readonly code: string = 'ERR_PIPELINE';
  readonly code: string;
  readonly retriable: boolean;
  readonly hint: string | undefined;

  constructor(message: string, options: PipelineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as typeof PipelineError).code;
    this.retriable = options.retriable ?? false;
    this.hint = options.hint;
  }

  /** One line: what happened, then what to do. */
  describe(): string {
    return this.hint === undefined ? this.message : `${this.message}; ${this.hint}`;
  }
}

/** Configuration that cannot work; the message says which setting and what to do. Never retriable. */
export class ConfigError extends PipelineError {
  static override readonly code: string = 'ERR_CONFIG';
  constructor(message: string, options: Omit<PipelineErrorOptions, 'retriable'> = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** A dependency (broker, object store, warehouse) did not answer; trying again later may succeed. */
export class UnavailableError extends PipelineError {
  static override readonly code: string = 'ERR_UNAVAILABLE';
  constructor(message: string, options: Omit<PipelineErrorOptions, 'retriable'> = {}) {
    super(message, { ...options, retriable: true });
  }
}

/** A call to another process, or a series of attempts, did not finish in the time it was given. */
export class DeadlineError extends PipelineError {
  static override readonly code: string = 'ERR_DEADLINE';
  constructor(
    readonly what: string,
    readonly ms: number,
    options: Omit<PipelineErrorOptions, 'retriable'> & { detail?: string } = {},
  ) {
    super(options.detail ?? `${what} did not answer within ${ms / 1000}s`, { ...options, retriable: true });
  }
}

/**
 * True when the error, or an error in its cause chain, says trying again can succeed: a PipelineError's
 * `retriable`, or the same flag other libraries set (kafkajs marks its errors `retriable`).
 */
export function isRetriable(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    if ((e as { retriable?: unknown }).retriable === true) return true;
    if (e instanceof PipelineError) return false;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

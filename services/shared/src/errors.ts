/** Base error: `retriable` tells the one place that owns retry policy whether trying again can help. */
export class PipelineError extends Error {
  readonly retriable: boolean;
  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** Configuration that cannot work; the message says which setting and what to do. Never retriable. */
export class ConfigError extends PipelineError {}

/** A dependency (broker, object store, warehouse) did not answer; trying again later may succeed. */
export class UnavailableError extends PipelineError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: true });
  }
}

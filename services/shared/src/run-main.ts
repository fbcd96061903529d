import { ConfigError, PipelineError } from './errors.js';

/**
 * Runs a process's entry point and turns its outcome into an exit code. A setting that cannot work
 * (ConfigError) prints one line that names it and exits 2, with no stack: whoever set it needs the what,
 * not the where. Other known failures (PipelineError) print their message and cause; only a bug prints a
 * stack. `main` may resolve with an exit code; a long-running service resolves once it is running. A
 * failure exits at once: clients half-started by then (a producer retrying its connection) must not keep a
 * broken process alive.
 */
export function runMain(name: string, main: () => Promise<number | undefined>): void {
  main().then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${name}: ${describeFailure(err)}\n`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    },
  );
}

function describeFailure(err: unknown): string {
  if (err instanceof ConfigError) return err.describe();
  if (err instanceof PipelineError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return err.hint === undefined ? `${err.message}${cause}` : `${err.message}${cause}; ${err.hint}`;
  }
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

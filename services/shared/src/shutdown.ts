import type { Logger } from 'pino';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (or 1 if stopping failed). A second signal while
 * stopping exits at once, so an impatient Ctrl-C still works.
 */
export function onShutdown(logger: Logger, stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: no new work, flushing what is in hand');
    stop(signal).then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}

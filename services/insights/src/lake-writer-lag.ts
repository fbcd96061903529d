import type { Logger } from '@spotify-pipeline/shared';
import { consumerGroupLag } from '@spotify-pipeline/shared/consumer-lag';
import type { Admin } from '@spotify-pipeline/shared/kafka';

type LakeWriterLag =
  | { state: 'measured'; events: number; measuredAt: string }
  | { state: 'unavailable'; reason: string };

export interface LagProbe {
  /** The lake writer's lag, measured at most every `cacheMs`; never throws. */
  current(): Promise<LakeWriterLag>;
  stop(): Promise<void>;
}

/**
 * Reports how many events the lake writer's consumer group has not yet written to the lake, through the Kafka
 * admin API with a deadline: a slow or absent broker makes the answer "unavailable", never a stuck request.
 */
export function createLagProbe(params: {
  admin: Admin;
  groupId: string;
  topic: string;
  timeoutMs: number;
  cacheMs: number;
  logger: Logger;
}): LagProbe {
  let connected: Promise<void> | undefined;
  let last: { at: number; value: Promise<LakeWriterLag> } | undefined;

  const measure = async (): Promise<LakeWriterLag> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Kafka did not answer within ${params.timeoutMs} ms`)),
        params.timeoutMs,
      );
    });
    try {
      connected ??= params.admin.connect();
      await Promise.race([connected, deadline]);
      const events = await Promise.race([
        consumerGroupLag(params.admin, params.groupId, params.topic),
        deadline,
      ]);
      return { state: 'measured', events, measuredAt: new Date().toISOString() };
    } catch (err) {
      connected = undefined;
      params.logger.warn({ err }, 'cannot measure the lake writer lag');
      return { state: 'unavailable', reason: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    current() {
      if (!last || Date.now() - last.at >= params.cacheMs) last = { at: Date.now(), value: measure() };
      return last.value;
    },
    async stop() {
      await params.admin.disconnect().catch(() => undefined);
    },
  };
}

import { consumerGroupLag } from '@spotify-pipeline/shared/consumer-lag';
import type { Admin } from '@spotify-pipeline/shared/kafka';

/** Waits until the group has committed everything on the topic, printing the lag as it falls. */
export async function waitForDrain(options: {
  admin: Admin;
  groupId: string;
  topic: string;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = -1;
  for (;;) {
    // Right after the group forms, its coordinator may still be loading: that is a reason to ask again.
    const lag = await consumerGroupLag(options.admin, options.groupId, options.topic).catch(() => -1);
    if (lag === 0) return;
    if (lag > 0 && lag !== last)
      options.log(`lake writer: ${lag.toLocaleString('en-US')} records of ${options.topic} still to write`);
    last = lag;
    if (Date.now() > deadline) {
      throw new Error(
        `the lake writer still had ${lag} records of ${options.topic} to write after ${options.timeoutMs / 1000}s`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

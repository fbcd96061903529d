import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dropKafkajsNegativeTimeoutWarning } from './kafka-timeout-warning.js';

const nodeMajor = Number(process.versions.node.split('.')[0]);
const moduleUrl = new URL('./kafka-timeout-warning.ts', import.meta.url).href;

/** The warnings `run` makes the process emit (they are emitted on a later tick). */
async function warningsDuring(run: () => void): Promise<Array<{ name: string; message: string }>> {
  const seen: Array<{ name: string; message: string }> = [];
  const listen = (warning: Error) => seen.push({ name: warning.name, message: warning.message });
  process.on('warning', listen);
  try {
    run();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return seen;
  } finally {
    process.off('warning', listen);
  }
}

// Named as kafkajs's RequestQueue method is, so the stack looks like the one kafkajs makes.
const kafkajsQueue = {
  scheduleCheckPendingRequests(emit: () => void) {
    emit();
  },
};

describe('dropKafkajsNegativeTimeoutWarning', () => {
  dropKafkajsNegativeTimeoutWarning();
  dropKafkajsNegativeTimeoutWarning(); // twice is once

  it('drops the TimeoutNegativeWarning that comes from kafkajs’s request queue', async () => {
    const seen = await warningsDuring(() =>
      kafkajsQueue.scheduleCheckPendingRequests(() =>
        process.emitWarning('-1764000000000 is a negative number.', 'TimeoutNegativeWarning'),
      ),
    );
    expect(seen).toEqual([]);
  });

  it('keeps the same warning from anywhere else, and every other warning from kafkajs', async () => {
    const seen = await warningsDuring(() => {
      process.emitWarning('-5 is a negative number.', { type: 'TimeoutNegativeWarning' });
      kafkajsQueue.scheduleCheckPendingRequests(() =>
        process.emitWarning('too big', 'TimeoutOverflowWarning'),
      );
    });
    expect(seen.map((w) => w.name)).toEqual(['TimeoutNegativeWarning', 'TimeoutOverflowWarning']);
  });

  // The real timer: Node 24 and later warn about a negative delay (earlier releases clamp it silently), once per
  // process. Each case runs in a fresh Node process so that no earlier timer in this worker has spent that warning.
  const inFreshNode = (timer: 'kafkajs' | 'ours') =>
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { dropKafkajsNegativeTimeoutWarning } = await import(${JSON.stringify(moduleUrl)});
         const seen = [];
         process.on('warning', (w) => seen.push(w.name));
         dropKafkajsNegativeTimeoutWarning();
         const queue = { scheduleCheckPendingRequests(arm) { arm(); } };
         const arm = () => setTimeout(() => undefined, -1000);
         ${timer === 'kafkajs' ? 'queue.scheduleCheckPendingRequests(arm);' : 'arm();'}
         setTimeout(() => process.stdout.write(JSON.stringify(seen)), 20);`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );

  it.runIf(nodeMajor >= 24)('drops a real negative setTimeout armed in kafkajs’s method', () => {
    expect(JSON.parse(inFreshNode('kafkajs'))).toEqual([]);
  });

  it.runIf(nodeMajor >= 24)('keeps the warning for a real negative setTimeout of our own', () => {
    expect(JSON.parse(inFreshNode('ours'))).toEqual(['TimeoutNegativeWarning']);
  });
});

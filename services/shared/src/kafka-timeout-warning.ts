// kafkajs 2.2.4, its last release, arms its request queue's throttle check with a negative delay whenever the
// queue is not throttled. Every Node release runs such a timer after 1 ms; Node 24 and later also print a
// TimeoutNegativeWarning for it on every new connection (tulios/kafkajs#1751: fixed on kafkajs's main branch,
// never released). This drops that one warning, recognised by the kafkajs method on the stack; every other
// warning, a negative delay of our own included, is printed as before. Node prints a negative delay's warning once
// per process, so one of ours after kafkajs's goes unprinted, exactly as it would without this.
const KAFKAJS_SCHEDULER = 'scheduleCheckPendingRequests';

type EmitWarning = typeof process.emitWarning;
const patched = new WeakSet<NodeJS.Process>();

export function dropKafkajsNegativeTimeoutWarning(target: NodeJS.Process = process): void {
  if (patched.has(target)) return;
  patched.add(target);
  const emitWarning = target.emitWarning;
  target.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const option = rest[0];
    const type = typeof option === 'string' ? option : (option as { type?: string } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning' && new Error().stack?.includes(KAFKAJS_SCHEDULER)) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as EmitWarning;
}

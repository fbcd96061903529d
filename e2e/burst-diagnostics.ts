// What a burst that does not progress prints: why the lake writers are not ready or not consuming, read from
// the cluster (pod conditions and container states, the namespace's last Events, every HPA's conditions, a
// ScaledObject left behind, the writers' last log lines). Text for the test's log, never an assertion.
import { selectorLabels } from '@spotify-pipeline/operator/builders/context';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; finishedAt?: string; message?: string };
}
interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  status: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: Array<{
      name: string;
      ready: boolean;
      restartCount: number;
      state?: ContainerState;
      lastState?: ContainerState;
    }>;
  };
}
interface Event {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  involvedObject?: { kind?: string; name?: string };
}
interface Hpa {
  metadata: { name: string };
  spec?: { scaleTargetRef?: { name?: string } };
  status?: { currentReplicas?: number; desiredReplicas?: number; conditions?: Condition[] };
}

type Kubectl = (args: string[]) => Promise<string>;

const state = (s: ContainerState | undefined): string => {
  if (!s) return '-';
  if (s.waiting)
    return `waiting ${s.waiting.reason ?? ''}${s.waiting.message ? ` (${s.waiting.message})` : ''}`;
  if (s.running) return `running since ${s.running.startedAt ?? '?'}`;
  if (s.terminated)
    return `terminated ${s.terminated.reason ?? ''} exit ${s.terminated.exitCode ?? '?'} at ${s.terminated.finishedAt ?? '?'}`;
  return '-';
};

const condition = (c: Condition) =>
  `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`;

async function items<T>(kubectl: Kubectl, args: string[]): Promise<T[]> {
  const out = await kubectl([...args, '-o', 'json']).catch(
    (err: Error) => `{"error":${JSON.stringify(err.message)}}`,
  );
  const parsed = JSON.parse(out) as { items?: T[]; error?: string };
  if (parsed.error) throw new Error(parsed.error);
  return parsed.items ?? [];
}

async function section(title: string, lines: () => Promise<string[]>): Promise<string[]> {
  try {
    const body = await lines();
    return [`  ${title}:`, ...(body.length ? body : ['(none)']).map((l) => `    ${l}`)];
  } catch (err) {
    return [`  ${title}: could not read (${(err as Error).message.split('\n')[0]})`];
  }
}

const writerSelector = (pipeline: string) =>
  Object.entries(selectorLabels({ metadata: { name: pipeline } } as never, 'lake-writer'))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** One lake-writer pod's container restarts and how its container last ended, as the kubelet reports it. */
export interface WriterRestarts {
  pod: string;
  restarts: number;
  /** e.g. `OOMKilled exit 137`, `Error exit 1`; null while it never ended. */
  lastTermination: string | null;
}

/** The restarts of every lake-writer pod that exists now (a pod scaled away takes its record with it). */
export async function writerRestarts(
  kubectl: Kubectl,
  o: { namespace: string; pipeline: string },
): Promise<WriterRestarts[]> {
  const pods = await items<Pod>(kubectl, [
    'get',
    'pods',
    '-n',
    o.namespace,
    '-l',
    writerSelector(o.pipeline),
  ]);
  return pods.flatMap((p) =>
    (p.status.containerStatuses ?? []).map((c) => {
      const ended = c.lastState?.terminated;
      return {
        pod: p.metadata.name,
        restarts: c.restartCount,
        lastTermination: ended ? `${ended.reason ?? '?'} exit ${ended.exitCode ?? '?'}` : null,
      };
    }),
  );
}

/** A multi-line report on the lake writers of `pipeline` in `namespace`, for the log. */
export async function lakeWriterDiagnosis(
  kubectl: Kubectl,
  o: { namespace: string; pipeline: string; deployment: string; logLines?: number },
): Promise<string> {
  const ns = ['-n', o.namespace];
  const selector = writerSelector(o.pipeline);
  const pods = await items<Pod>(kubectl, ['get', 'pods', ...ns, '-l', selector]).catch(() => [] as Pod[]);
  const parts = await Promise.all([
    section('pods', async () =>
      pods.flatMap((p) => [
        `${p.metadata.name} ${p.status.phase ?? '?'}${p.metadata.deletionTimestamp ? ' (terminating)' : ''}: ${(p.status.conditions ?? []).map(condition).join('; ')}`,
        ...(p.status.containerStatuses ?? []).map(
          (c) =>
            `  ${c.name}: ready=${c.ready} restarts=${c.restartCount} now ${state(c.state)}; before ${state(c.lastState)}`,
        ),
      ]),
    ),
    section('deployment', async () => [
      await kubectl([
        'get',
        'deployment',
        ...ns,
        o.deployment,
        '-o',
        'jsonpath=replicas={.spec.replicas} ready={.status.readyReplicas} updated={.status.updatedReplicas} unavailable={.status.unavailableReplicas} annotations={.metadata.annotations}',
      ]),
    ]),
    section('autoscalers (HPAs and ScaledObjects of the namespace)', async () => [
      ...(await items<Hpa>(kubectl, ['get', 'hpa', ...ns])).map(
        (h) =>
          `HPA ${h.metadata.name} -> ${h.spec?.scaleTargetRef?.name ?? '?'} current=${h.status?.currentReplicas ?? '?'} desired=${h.status?.desiredReplicas ?? '?'}: ${(h.status?.conditions ?? []).map(condition).join('; ')}`,
      ),
      ...(
        await items<{ metadata: { name: string; deletionTimestamp?: string } }>(kubectl, [
          'get',
          'scaledobjects.keda.sh',
          ...ns,
        ]).catch(() => [])
      ).map(
        (s) => `ScaledObject ${s.metadata.name}${s.metadata.deletionTimestamp ? ' (being deleted)' : ''}`,
      ),
    ]),
    section('last Events of the namespace', async () =>
      (await items<Event>(kubectl, ['get', 'events', ...ns]))
        .sort((a, b) =>
          (a.lastTimestamp ?? a.eventTime ?? '').localeCompare(b.lastTimestamp ?? b.eventTime ?? ''),
        )
        .slice(-15)
        .map(
          (e) =>
            `${e.lastTimestamp ?? e.eventTime ?? '?'} ${e.type ?? ''} ${e.reason ?? ''} ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''} x${e.count ?? 1}: ${e.message ?? ''}`,
        ),
    ),
    ...pods.map((p) =>
      section(`last log lines of ${p.metadata.name}`, async () =>
        (await kubectl(['logs', ...ns, p.metadata.name, `--tail=${o.logLines ?? 8}`]))
          .split('\n')
          .filter(Boolean)
          .map((l) => (l.length > 400 ? `${l.slice(0, 400)}...` : l)),
      ),
    ),
  ]);
  return ['[diagnosis] lake writers', ...parts.flat()].join('\n');
}

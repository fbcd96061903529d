import type { SourceSpec } from '../crd/spotify-pipeline.js';
import type { BuildContext } from './context.js';

/** What the cluster has that a source may need, as the controller found it. */
export interface ClusterFacts {
  /** The keys of a Secret in the pipeline's namespace, or null when there is no such Secret. */
  secretKeys(name: string): ReadonlySet<string> | null;
  /**
   * Export files under a prefix of the lake bucket, or why they could not be counted (yet). A Job is
   * created once, so an import waits until its input is known to be there.
   */
  exportFiles(prefix: string): number | string;
}

/** A Secret key a source reads. `required`: without it the source cannot start. */
interface SecretNeed {
  secret: string;
  key: string;
  required: boolean;
  /** What the key is for, in words for the condition message. */
  purpose: string;
}

export interface SourceNeeds {
  index: number;
  type: SourceSpec['type'];
  secrets: SecretNeed[];
  /** Lake prefix that must hold export files before the import can run. */
  exportPrefix?: string;
}

export interface SourceReadiness {
  index: number;
  type: SourceSpec['type'];
  /** Why it cannot start; its workload is withheld until these are fixed. Empty: it can start. */
  blocking: string[];
  /** What it lacks but runs without (a listener whose token is missing is skipped, the others polled). */
  degraded: string[];
}

/**
 * What each source needs beyond what the other steps check (the lake and Kafka credentials): the poller its
 * app credentials and each listener's refresh token, the import its export files.
 */
export function sourceNeeds({ pipeline }: BuildContext): SourceNeeds[] {
  return pipeline.spec.sources.map((source, index) => {
    if (source.type === 'spotify_api') {
      const api = source.spotifyApi;
      const app = source.credentialsSecret ?? '';
      return {
        index,
        type: source.type,
        secrets: [
          { secret: app, key: 'SPOTIFY_CLIENT_ID', required: true, purpose: 'the Spotify app client id' },
          {
            secret: app,
            key: 'SPOTIFY_CLIENT_SECRET',
            required: true,
            purpose: 'the Spotify app client secret',
          },
          ...(api?.listeners ?? []).map((l) => ({
            secret: api?.tokenSecret ?? '',
            key: l.tokenKey ?? l.userId,
            required: false,
            purpose: `the refresh token of listener ${l.userId}`,
          })),
        ],
      };
    }
    if (source.type === 'history_import' && source.historyImport)
      return { index, type: source.type, secrets: [], exportPrefix: source.historyImport.prefix };
    return { index, type: source.type, secrets: [] };
  });
}

/**
 * Which sources cannot start, or run degraded, given what the cluster has. Pure: the controller gathers the
 * facts (Secrets by name, the export files under a prefix) and reports the result as a condition.
 */
export function checkSources(needs: SourceNeeds[], facts: ClusterFacts): SourceReadiness[] {
  return needs.map((need) => {
    const blocking: string[] = [];
    const degraded: string[] = [];
    const where = `spec.sources[${need.index}] (${need.type})`;
    for (const [secret, wanted] of groupBySecret(need.secrets)) {
      const keys = facts.secretKeys(secret);
      if (keys === null) {
        const line = `${where}: Secret ${secret} does not exist: create it with the keys ${wanted.map((w) => w.key).join(', ')}`;
        (wanted.some((w) => w.required) ? blocking : degraded).push(line);
        continue;
      }
      for (const w of wanted.filter((w) => !keys.has(w.key))) {
        (w.required ? blocking : degraded).push(
          `${where}: Secret ${secret} has no key ${w.key} (${w.purpose})`,
        );
      }
    }
    if (need.exportPrefix !== undefined) {
      const files = facts.exportFiles(need.exportPrefix);
      if (files === 0)
        blocking.push(
          `${where}: no Streaming_History_Audio_*.json objects under ${need.exportPrefix} in the lake bucket: upload the files of the Spotify export there`,
        );
      else if (typeof files === 'string')
        blocking.push(
          `${where}: the export files under ${need.exportPrefix} could not be counted yet: ${files}`,
        );
    }
    return { index: need.index, type: need.type, blocking, degraded };
  });
}

function groupBySecret(needs: SecretNeed[]): Map<string, SecretNeed[]> {
  const out = new Map<string, SecretNeed[]>();
  for (const n of needs) out.set(n.secret, [...(out.get(n.secret) ?? []), n]);
  return out;
}

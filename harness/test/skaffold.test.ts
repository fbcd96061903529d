import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type Cluster,
  copyRepository,
  makeWorkdir,
  runInImage,
  runSkaffold,
  type SkaffoldOptions,
  startCluster,
  startSkaffoldDev,
  waitUntil,
} from '../src/index.js';

// skaffold v2.24.0 built from the Go proxy, on the repository's skaffold.yaml (its custom builder runs buildah),
// against the harness's single-node cluster and the registry its containerd pulls from.
const NAMESPACE = 'spotify-pipeline';
const log = (line: string) => console.log(line);

let cluster: Cluster;
let tree: { path: string; remove(): void };
let skaffold: SkaffoldOptions;
const home = makeWorkdir('skaffold-home');

interface Built {
  imageName: string;
  tag: string;
}
interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { containers: Array<{ image: string; env?: Array<{ name: string; value?: string }> }> };
  status: { phase: string; containerStatuses?: Array<{ imageID: string; ready: boolean }> };
}

beforeAll(async () => {
  tree = copyRepository('skaffold');
  cluster = await startCluster({ log });
  // One HOME, so run and dev find what build built in skaffold's cache instead of building it again.
  skaffold = {
    cwd: tree.path,
    registry: cluster.registry,
    kubeconfig: cluster.kubeconfigPath,
    home: home.path,
  };
}, 15 * 60_000);

afterAll(async () => {
  await cluster?.stop();
  tree?.remove();
  home.remove();
});

async function skaffoldOrThrow(args: string[]): Promise<string> {
  const result = await runSkaffold(args, skaffold);
  if (result.code !== 0) {
    throw new Error(
      `skaffold ${args[0]} failed (${result.code}):\n${(result.stdout + result.stderr).slice(-5000)}`,
    );
  }
  return result.stdout + result.stderr;
}

async function operatorPods(): Promise<Pod[]> {
  const out = await cluster.kubectl([
    'get',
    'pods',
    '-n',
    NAMESPACE,
    '-l',
    'app.kubernetes.io/component=operator',
    '-o',
    'json',
  ]);
  return (JSON.parse(out) as { items: Pod[] }).items;
}

const workloadImages = (pod: Pod) =>
  (pod.spec.containers[0]!.env ?? [])
    .filter((e) => e.name.startsWith('IMAGE_'))
    .map((e) => `${e.name}=${e.value}`);

const digestOf = (reference: string) => /@(sha256:[a-f0-9]{64})$/.exec(reference)?.[1];

describe('skaffold', () => {
  let builds: Built[];

  it(
    'build: every artifact of skaffold.yaml built with buildah and pushed; each digest is what the registry serves',
    async () => {
      const output = join(tree.path, 'build.json');
      const out = await skaffoldOrThrow(['build', '--push', `--file-output=${output}`]);
      builds = (JSON.parse(readFileSync(output, 'utf8')) as { builds: Built[] }).builds;
      const artifacts = (
        parse(readFileSync(join(tree.path, 'skaffold.yaml'), 'utf8')) as {
          build: { artifacts: Array<{ image: string }> };
        }
      ).build.artifacts.map((a) => a.image);
      expect(builds.map((b) => b.imageName).sort()).toEqual([...artifacts].sort());
      for (const { imageName, tag } of builds) {
        const m = new RegExp(
          `^${cluster.registry.host}/(spotify-pipeline/[^:@]+):([^@]+)@(sha256:[a-f0-9]{64})$`,
        ).exec(tag);
        expect(m, `${imageName} built as ${tag}`).not.toBeNull();
        expect(await cluster.registry.manifestDigest(m![1]!, m![2]!), imageName).toBe(m![3]);
      }
      // buildah's own step lines: the images came from the daemonless builder, on the installer's base image.
      expect(out).toMatch(/STEP \d+\/\d+: FROM localhost\/spotify-pipeline\/node:/);
      const simulator = builds.find((b) => b.imageName.endsWith('/simulator'))!;
      const help = await runInImage(simulator.tag.replace(/@sha256:.*$/, ''), ['--help']);
      expect(help.output).toMatch(/Usage: spotify-simulator/);
    },
    45 * 60_000,
  );

  it(
    'run: installs the chart; the operator pods run the digest built and hold every workload image built; delete removes it',
    async () => {
      await skaffoldOrThrow(['run', '--status-check=true']);
      const pods = (await operatorPods()).filter((p) => !p.metadata.deletionTimestamp);
      expect(pods.length).toBe(2);
      const byName = (name: string) => builds.find((b) => b.imageName.endsWith(`/${name}`))!.tag;
      for (const pod of pods) {
        expect(pod.status.containerStatuses?.[0]?.ready, pod.metadata.name).toBe(true);
        expect(digestOf(pod.status.containerStatuses![0]!.imageID)).toBe(digestOf(byName('operator')));
        const env = Object.fromEntries((pod.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
        for (const [setting, name] of [
          ['IMAGE_SIMULATOR', 'simulator'],
          ['IMAGE_SPOTIFY_POLLER', 'spotify-poller'],
          ['IMAGE_HISTORY_IMPORT', 'history-import'],
          ['IMAGE_LAKE_WRITER', 'lake-writer'],
          ['IMAGE_LOADER', 'loader'],
          ['IMAGE_INSIGHTS', 'insights'],
        ] as const) {
          expect(env[setting], setting).toBe(`${byName(name).replace(/:[^:/@]+@/, '@')}`);
        }
      }
      await skaffoldOrThrow(['delete']);
      const left = await cluster.kubectl(['get', 'deployments', '-n', NAMESPACE, '-o', 'name']);
      expect(left.trim()).toBe('');
    },
    30 * 60_000,
  );

  it(
    'dev: an edit of the operator is rebuilt and redeployed, and its new digest runs in new pods',
    async () => {
      const logFile = join(home.path, 'skaffold-dev.log');
      const dev = startSkaffoldDev({ ...skaffold, args: ['--status-check=true'], logFile });
      try {
        let first: Pod[] = [];
        await waitUntil(
          'skaffold dev to deploy the operator',
          async () => {
            if (dev.exited()) throw new Error('skaffold dev exited');
            first = (await operatorPods()).filter(
              (p) => !p.metadata.deletionTimestamp && p.status.containerStatuses?.[0]?.ready,
            );
            return first.length === 2;
          },
          { timeoutMs: 15 * 60_000, intervalMs: 3000, logHint: () => dev.tail(40) },
        );
        // skaffold records each file's state while "Listing files to watch": an edit made before it says it is
        // watching becomes the baseline and is never seen as a change (on a loaded machine listing takes minutes).
        await waitUntil(
          'skaffold dev to watch for changes',
          async () => {
            if (dev.exited()) throw new Error('skaffold dev exited');
            return readFileSync(logFile, 'utf8').includes('Watching for changes');
          },
          { timeoutMs: 15 * 60_000, intervalMs: 1000, logHint: () => dev.tail(40) },
        );
        const before = digestOf(first[0]!.status.containerStatuses![0]!.imageID);
        log(`[skaffold dev] deployed: operator ${before}; editing operator/src/main.ts`);

        const main = join(tree.path, 'operator/src/main.ts');
        const source = readFileSync(main, 'utf8');
        expect(source).toContain("'operator started'");
        writeFileSync(
          main,
          source.replace("'operator started'", "'operator started (edited under skaffold dev)'"),
        );

        let edited: Pod[] = [];
        await waitUntil(
          'skaffold dev to rebuild the operator and roll out new pods',
          async () => {
            if (dev.exited()) throw new Error('skaffold dev exited');
            edited = (await operatorPods()).filter(
              (p) =>
                !p.metadata.deletionTimestamp &&
                p.status.containerStatuses?.[0]?.ready &&
                digestOf(p.status.containerStatuses[0].imageID) !== before,
            );
            return edited.length === 2;
          },
          { timeoutMs: 15 * 60_000, intervalMs: 3000, logHint: () => dev.tail(40) },
        );
        const names = new Set(first.map((p) => p.metadata.name));
        for (const pod of edited) {
          expect(names.has(pod.metadata.name), `${pod.metadata.name} is a new pod`).toBe(false);
          const logs = await cluster.kubectl(['logs', '-n', NAMESPACE, pod.metadata.name]);
          expect(logs).toContain('operator started (edited under skaffold dev)');
        }
        // The edit touched the operator's sources only: every workload image stayed as it was.
        expect(workloadImages(edited[0]!)).toEqual(workloadImages(first[0]!));
      } finally {
        await dev.stop(120_000);
      }
    },
    40 * 60_000,
  );
});

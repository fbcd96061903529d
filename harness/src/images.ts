import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildahIn, caSecret, localImageSize } from './buildah.js';
import { cacheDir, componentPaths, componentVersions, repoRoot, requireComponent } from './paths.js';
import type { RegistryInstance } from './registry.js';
import { makeWorkdir } from './workdir.js';

export interface BuiltImage {
  /** The deployable, which is also its Dockerfile target: "simulator". */
  readonly name: string;
  /** `host/prefix/name`, e.g. 127.0.0.1:40123/spotify-pipeline/simulator. */
  readonly repository: string;
  readonly tag: string;
  /** The manifest digest the registry serves (sha256:…). */
  readonly digest: string;
  /** `repository@digest`: what a pod spec should name. */
  readonly reference: string;
  /** The image's ID in buildah's local storage (for runInImage). */
  readonly imageId: string;
  /** Bytes of its files, as unpacked on a node. */
  readonly sizeBytes: number;
  /** Size of the (zstd-compressed) layers and config in the registry: what a node pulls. */
  readonly pullBytes: number;
  readonly buildSeconds: number;
  readonly pushSeconds: number;
}

export interface BuildImagesOptions {
  /** Where to push: a harness registry, or anything with a plain-HTTP `host`. */
  registry: Pick<RegistryInstance, 'host'>;
  /** Dockerfile targets to build; all of them when absent (see imageTargets). */
  names?: string[];
  /** Path between the registry host and the image name. */
  prefix?: string;
  tag?: string;
  /** The source tree to build (its Dockerfile and files); the repository by default. */
  context?: string;
  /** A buildah storage folder of its own (image store and build caches): a cold build, as on a fresh machine. */
  storage?: string;
  /** Progress lines (one per step); stdout by default. */
  log?: (line: string) => void;
}

type Buildah = ReturnType<typeof buildahIn>;

/** The name the installer gives the Node base image it assembles (scripts/install-components.sh node-base). */
export function nodeBaseImage(): string {
  const v = componentVersions();
  return `localhost/spotify-pipeline/node:${v.NODE_BASE_NODE_VERSION}-npm-${v.NODE_BASE_NPM_VERSION}-${v.NODE_BASE_DEBIAN}-slim`;
}

/** Where the installer caches that image as an OCI archive. */
function nodeBaseArchive(): string {
  const v = componentVersions();
  const name = `node-base-${v.NODE_BASE_NODE_VERSION}-npm-${v.NODE_BASE_NPM_VERSION}-${v.NODE_BASE_DEBIAN}`;
  return join(cacheDir(), name, 'image.tar');
}

/** The images a Dockerfile builds: its stages that set an ENTRYPOINT, in order. */
export function imageTargets(dockerfile: string): string[] {
  const targets: string[] = [];
  let stage: string | undefined;
  for (const line of dockerfile.split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) stage = from[1];
    else if (/^ENTRYPOINT\s/i.test(line) && stage && !targets.includes(stage)) targets.push(stage);
  }
  return targets;
}

/**
 * Builds images from the repository's Dockerfile with buildah (no daemon; layers cached in buildah's storage,
 * npm and pip downloads in its cache mounts, so an unchanged image rebuilds in seconds) and pushes each to
 * the registry, one after the other. Returns what each pushed image is, with its build time and size.
 */
export async function buildImages(options: BuildImagesOptions): Promise<BuiltImage[]> {
  requireComponent(componentPaths().buildah, 'image-tools');
  requireComponent(componentPaths().runc, 'apt');
  const exec = buildahIn(options.storage);
  const base = await ensureNodeBaseImage(exec);
  const context = options.context ?? repoRoot;
  const all = imageTargets(readFileSync(join(context, 'Dockerfile'), 'utf8'));
  const names = options.names ?? all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0)
    throw new Error(`no Dockerfile target ${unknown.join(', ')} (known: ${all.join(', ')})`);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const work = makeWorkdir('images');
  const built: BuiltImage[] = [];
  try {
    for (const [i, name] of names.entries()) {
      const step = `[images ${i + 1}/${names.length}] ${name}`;
      log(`${step}: building`);
      const { imageId, seconds: buildSeconds } = await buildTarget(exec, {
        name,
        context,
        base,
        work: work.path,
      });
      const sizeBytes = await localImageSize(imageId, exec);
      const repository = `${options.registry.host}/${options.prefix ?? 'spotify-pipeline'}/${name}`;
      const tag = options.tag ?? 'dev';
      const pushed = await push(exec, { imageId, repository, tag, work: work.path });
      const image: BuiltImage = {
        name,
        repository,
        tag,
        digest: pushed.digest,
        reference: `${repository}@${pushed.digest}`,
        imageId,
        sizeBytes,
        pullBytes: pushed.bytes,
        buildSeconds,
        pushSeconds: pushed.seconds,
      };
      log(
        `${step}: built in ${buildSeconds.toFixed(1)} s, ${mib(sizeBytes)} MiB (${mib(pushed.bytes)} MiB to pull), ` +
          `pushed in ${pushed.seconds.toFixed(1)} s: ${image.reference}`,
      );
      built.push(image);
    }
  } finally {
    work.remove();
  }
  return built;
}

/** The Node base image in this buildah's storage; a storage of its own gets it from the installer's archive. */
export async function ensureNodeBaseImage(exec: Buildah = buildahIn()): Promise<string> {
  const base = nodeBaseImage();
  if ((await exec(['inspect', '--type', 'image', base])).code === 0) return base;
  const archive = nodeBaseArchive();
  if (!existsSync(archive)) {
    throw new Error(`the Node base image ${base} is missing: run scripts/install-components.sh node-base`);
  }
  const pulled = await exec(['pull', '--quiet', `oci-archive:${archive}`]);
  const id = pulled.output.trim().split('\n').pop() ?? '';
  if (pulled.code !== 0 || (await exec(['tag', id, base])).code !== 0) {
    throw new Error(`loading ${archive} into buildah failed: ${pulled.output}`);
  }
  return base;
}

async function buildTarget(
  exec: Buildah,
  o: { name: string; context: string; base: string; work: string },
): Promise<{ imageId: string; seconds: number }> {
  const started = Date.now();
  const iidfile = join(o.work, `${o.name}.iid`);
  const build = await exec(
    [
      'bud',
      '--layers',
      '--pull=never',
      `--runtime=${componentPaths().runc}`,
      ...caSecret(),
      `--build-arg=NODE_IMAGE=${o.base}`,
      `--target=${o.name}`,
      `--iidfile=${iidfile}`,
      `--file=${join(o.context, 'Dockerfile')}`,
      o.context,
    ],
    BUILD_DEADLINE_MS,
  );
  if (build.code !== 0) throw new Error(`building ${o.name} failed:\n${tail(build.output, 40)}`);
  const imageId = readFileSync(iidfile, 'utf8')
    .trim()
    .replace(/^sha256:/, '');
  return { imageId, seconds: (Date.now() - started) / 1000 };
}

async function push(
  exec: Buildah,
  o: { imageId: string; repository: string; tag: string; work: string },
): Promise<{ digest: string; bytes: number; seconds: number }> {
  const started = Date.now();
  const digestfile = join(o.work, `${o.imageId}.digest`);
  const result = await exec([
    'push',
    '--quiet',
    '--tls-verify=false',
    // zstd at level 1 pushes the loader in about a third of gzip's time (containerd reads zstd layers).
    '--compression-format=zstd',
    '--compression-level=1',
    `--digestfile=${digestfile}`,
    o.imageId,
    `docker://${o.repository}:${o.tag}`,
  ]);
  if (result.code !== 0) throw new Error(`pushing to ${o.repository} failed:\n${tail(result.output, 20)}`);
  const digest = readFileSync(digestfile, 'utf8').trim();
  const bytes = await pulledSize(o.repository, digest);
  return { digest, bytes, seconds: (Date.now() - started) / 1000 };
}

/**
 * The chart values (`helm --set key=value`) that make it deploy exactly these images by digest: the
 * operator's as `image.*`, each workload's as `images.<camelCase name>.*`, which the operator is handed.
 */
export function chartImageValues(images: Pick<BuiltImage, 'name' | 'repository' | 'digest'>[]): string[] {
  return images.flatMap(({ name, repository, digest }) => {
    const key =
      name === 'operator'
        ? 'image'
        : `images.${name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}`;
    return [`${key}.repository=${repository}`, `${key}.digest=${digest}`];
  });
}

async function pulledSize(repository: string, digest: string): Promise<number> {
  const slash = repository.indexOf('/');
  const url = `http://${repository.slice(0, slash)}/v2/${repository.slice(slash + 1)}/manifests/${digest}`;
  const res = await fetch(url, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`the registry does not serve ${repository}@${digest} (${res.status})`);
  const manifest = (await res.json()) as { config: { size: number }; layers: Array<{ size: number }> };
  return manifest.layers.reduce((sum, l) => sum + l.size, manifest.config.size);
}

// A cold loader build (apt, pip, npm downloads) takes minutes on a busy machine.
const BUILD_DEADLINE_MS = 30 * 60_000;

const tail = (text: string, lines: number) => text.trimEnd().split('\n').slice(-lines).join('\n');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths, componentVersions, repoRoot, requireComponent } from './paths.js';
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
  /** Uncompressed size of all layers, as stored on a node. */
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
  /** Progress lines (one per step); stdout by default. */
  log?: (line: string) => void;
}

/** The name the installer gives the Node base image it assembles (scripts/install-components.sh node-base). */
export function nodeBaseImage(): string {
  const v = componentVersions();
  return `localhost/spotify-pipeline/node:${v.NODE_BASE_NODE_VERSION}-npm-${v.NODE_BASE_NPM_VERSION}-${v.NODE_BASE_DEBIAN}-slim`;
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
  const base = nodeBaseImage();
  if ((await buildah(['inspect', '--type', 'image', base])).code !== 0) {
    throw new Error(`the Node base image ${base} is missing: run scripts/install-components.sh node-base`);
  }
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
      const { imageId, seconds: buildSeconds } = await buildTarget(name, context, base, work.path);
      const sizeBytes = await localImageSize(imageId);
      const repository = `${options.registry.host}/${options.prefix ?? 'spotify-pipeline'}/${name}`;
      const tag = options.tag ?? 'dev';
      const pushed = await push(imageId, repository, tag, work.path);
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

async function buildTarget(
  name: string,
  context: string,
  base: string,
  work: string,
): Promise<{ imageId: string; seconds: number }> {
  const started = Date.now();
  const iidfile = join(work, `${name}.iid`);
  const build = await buildah(
    [
      'bud',
      '--layers',
      '--pull=never',
      `--runtime=${componentPaths().runc}`,
      ...caSecret(),
      `--build-arg=NODE_IMAGE=${base}`,
      `--target=${name}`,
      `--iidfile=${iidfile}`,
      `--file=${join(context, 'Dockerfile')}`,
      context,
    ],
    BUILD_DEADLINE_MS,
  );
  if (build.code !== 0) throw new Error(`building ${name} failed:\n${tail(build.output, 40)}`);
  const imageId = readFileSync(iidfile, 'utf8')
    .trim()
    .replace(/^sha256:/, '');
  return { imageId, seconds: (Date.now() - started) / 1000 };
}

async function push(
  imageId: string,
  repository: string,
  tag: string,
  work: string,
): Promise<{ digest: string; bytes: number; seconds: number }> {
  const started = Date.now();
  const digestfile = join(work, `${imageId}.digest`);
  const result = await buildah([
    'push',
    '--quiet',
    '--tls-verify=false',
    // zstd at level 1 pushes the loader in about a third of gzip's time (containerd reads zstd layers).
    '--compression-format=zstd',
    '--compression-level=1',
    `--digestfile=${digestfile}`,
    imageId,
    `docker://${repository}:${tag}`,
  ]);
  if (result.code !== 0) throw new Error(`pushing to ${repository} failed:\n${tail(result.output, 20)}`);
  const digest = readFileSync(digestfile, 'utf8').trim();
  const bytes = await pulledSize(repository, digest);
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

/**
 * Runs the image's entry point with `args` in a container (buildah run on runc: no daemon), as the image's
 * user, and returns its exit code and output. `entrypoint: false` runs `args` as the command instead.
 */
export async function runInImage(
  image: string,
  args: string[],
  options: { env?: Record<string, string>; entrypoint?: boolean } = {},
): Promise<{ code: number; output: string }> {
  const runc = componentPaths().runc;
  return withContainer(image, async (container) => {
    const config = JSON.parse((await buildah(['inspect', '--type', 'container', container])).output) as {
      OCIv1: { config: { Entrypoint?: string[] } };
    };
    const command =
      options.entrypoint === false ? args : [...(config.OCIv1.config.Entrypoint ?? []), ...args];
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    return buildah(['run', `--runtime=${runc}`, ...env, container, '--', ...command]);
  });
}

/** Files under a path inside an image, with sizes in bytes (`find -printf`), for checking what it holds. */
export async function listImageFiles(image: string, path: string): Promise<Map<string, number>> {
  const result = await runInImage(image, ['find', path, '-type', 'f', '-printf', '%s %p\\n'], {
    entrypoint: false,
  });
  if (result.code !== 0) throw new Error(`listing ${path} in ${image} failed: ${result.output}`);
  const files = new Map<string, number>();
  for (const line of result.output.split('\n')) {
    const m = /^(\d+) (.+)$/.exec(line);
    if (m) files.set(m[2]!, Number(m[1]));
  }
  return files;
}

// Behind a TLS-intercepting proxy the build's npm and pip need the host's CA bundle. It is passed as a build
// secret, which the Dockerfile mounts for the download steps only: it is never written to a layer.
function caSecret(): string[] {
  const bundle = [
    process.env.SP_BUILD_CA_BUNDLE,
    process.env.SSL_CERT_FILE,
    '/etc/ssl/certs/ca-certificates.crt',
  ].find((p) => p && existsSync(p));
  return bundle ? [`--secret=id=ca,src=${bundle}`] : [];
}

/** Bytes of the image's files, as unpacked on a node (du of the image mounted by buildah). */
export async function localImageSize(image: string): Promise<number> {
  return withContainer(image, async (container) => {
    const mount = await buildah(['mount', container]);
    if (mount.code !== 0) throw new Error(`buildah mount ${image} failed: ${mount.output}`);
    try {
      const du = await run('du', ['-sbx', mount.output.trim()]);
      const bytes = Number(/^(\d+)/.exec(du.output)?.[1]);
      if (du.code !== 0 || !Number.isFinite(bytes)) throw new Error(`du of ${image} failed: ${du.output}`);
      return bytes;
    } finally {
      await buildah(['umount', container]);
    }
  });
}

/** A working container of `image` for the duration of `use`, removed afterwards. */
async function withContainer<T>(image: string, use: (container: string) => Promise<T>): Promise<T> {
  const from = await buildah(['from', '--pull-never', '--quiet', image]);
  if (from.code !== 0) throw new Error(`buildah from ${image} failed: ${from.output}`);
  const container = from.output.trim().split('\n').pop()!;
  try {
    return await use(container);
  } finally {
    await buildah(['rm', container]);
  }
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

// A cold loader build (apt, pip, npm downloads) takes minutes on a busy machine; anything else is quick.
const BUILD_DEADLINE_MS = 30 * 60_000;

const buildah = (args: string[], timeout = 5 * 60_000) => run(componentPaths().buildah, args, timeout);

function run(
  command: string,
  args: string[],
  timeout = 5 * 60_000,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: repoRoot, maxBuffer: 256 * 1024 * 1024, timeout, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: `${stdout}${stderr}`,
        });
      },
    );
  });
}

const tail = (text: string, lines: number) => text.trimEnd().split('\n').slice(-lines).join('\n');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths, repoRoot } from './paths.js';

export interface BuildahResult {
  code: number;
  output: string;
}

/**
 * buildah with its default storage (shared with every build on the machine, so its layer cache is too), or
 * with a storage of its own under `storage` (its image store, run state and build cache mounts): a build
 * there starts from nothing, as on a fresh machine.
 */
export function buildahIn(storage?: string): (args: string[], timeoutMs?: number) => Promise<BuildahResult> {
  const global = storage
    ? ['--root', join(storage, 'root'), '--runroot', join(storage, 'run'), '--storage-driver', 'overlay']
    : [];
  // buildah keeps RUN --mount=type=cache folders under TMPDIR.
  const env = storage ? { ...process.env, TMPDIR: join(storage, 'tmp') } : process.env;
  if (storage) mkdirSync(join(storage, 'tmp'), { recursive: true });
  return (args, timeoutMs = 5 * 60_000) =>
    run(componentPaths().buildah, [...global, ...args], timeoutMs, env);
}

const buildah = buildahIn();

/** A working container of `image` for the duration of `use`, removed afterwards. */
async function withContainer<T>(
  image: string,
  use: (container: string) => Promise<T>,
  exec = buildah,
): Promise<T> {
  const from = await exec(['from', '--pull-never', '--quiet', image]);
  if (from.code !== 0) throw new Error(`buildah from ${image} failed: ${from.output}`);
  const container = from.output.trim().split('\n').pop()!;
  try {
    return await use(container);
  } finally {
    await exec(['rm', container]);
  }
}

/**
 * Runs the image's entry point with `args` in a container (buildah run on runc: no daemon), as the image's
 * user, and returns its exit code and output. `entrypoint: false` runs `args` as the command instead.
 */
export function runInImage(
  image: string,
  args: string[],
  options: { env?: Record<string, string>; entrypoint?: boolean } = {},
): Promise<BuildahResult> {
  return withContainer(image, async (container) => {
    const config = JSON.parse((await buildah(['inspect', '--type', 'container', container])).output) as {
      OCIv1: { config: { Entrypoint?: string[] } };
    };
    const command =
      options.entrypoint === false ? args : [...(config.OCIv1.config.Entrypoint ?? []), ...args];
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    return buildah(['run', `--runtime=${componentPaths().runc}`, ...env, container, '--', ...command]);
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

/** Bytes of the image's files, as unpacked on a node (du of the image mounted by buildah). */
export function localImageSize(image: string, exec = buildah): Promise<number> {
  return withContainer(
    image,
    async (container) => {
      const mount = await exec(['mount', container]);
      if (mount.code !== 0) throw new Error(`buildah mount ${image} failed: ${mount.output}`);
      try {
        const du = await run('du', ['-sbx', mount.output.trim()]);
        const bytes = Number(/^(\d+)/.exec(du.output)?.[1]);
        if (du.code !== 0 || !Number.isFinite(bytes)) throw new Error(`du of ${image} failed: ${du.output}`);
        return bytes;
      } finally {
        await exec(['umount', container]);
      }
    },
    exec,
  );
}

/**
 * Behind a TLS-intercepting proxy a build's npm and pip need the host's CA bundle: these arguments pass it as
 * the build secret `ca`, which the Dockerfile mounts for its download steps only (no layer keeps it).
 */
export function caSecret(): string[] {
  const bundle = [
    process.env.SP_BUILD_CA_BUNDLE,
    process.env.SSL_CERT_FILE,
    '/etc/ssl/certs/ca-certificates.crt',
  ].find((p) => p && existsSync(p));
  return bundle ? [`--secret=id=ca,src=${bundle}`] : [];
}

function run(
  command: string,
  args: string[],
  timeout = 5 * 60_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BuildahResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: repoRoot, env, maxBuffer: 256 * 1024 * 1024, timeout, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: `${stdout}${stderr}`,
        });
      },
    );
  });
}

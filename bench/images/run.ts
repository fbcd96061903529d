/**
 * Images benchmark: build time and size of every image, cold (a buildah storage of its own: no layer, npm or
 * pip cache, as on a fresh machine) and warm (the same storage again, nothing changed), the rebuild after a
 * one-line edit of the simulator, and, side by side in the same run, the per-service Dockerfiles this
 * repository had before (commit 97c5112: each image carried every workspace's node_modules) built on the
 * same base image. Writes bench/results/images.json.
 * Run: npm run bench -- images
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BuiltImage,
  benchMachine,
  buildahIn,
  buildImages,
  caSecret,
  componentPaths,
  copyRepository,
  ensureNodeBaseImage,
  localImageSize,
  makeWorkdir,
  nodeBaseImage,
  repoRoot,
  startRegistry,
} from '@spotify-pipeline/harness';

const BEFORE_COMMIT = '97c5112';
const BEFORE_DOCKERFILES: Record<string, string> = {
  operator: 'operator/Dockerfile',
  simulator: 'services/simulator/Dockerfile',
  'spotify-poller': 'services/spotify-poller/Dockerfile',
  'history-import': 'services/history-import/Dockerfile',
  'lake-writer': 'services/lake-writer/Dockerfile',
  loader: 'services/loader/Dockerfile',
};

const log = (msg: string) => console.log(`[bench images] ${msg}`);
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const sec = (s: number) => Math.round(s * 10) / 10;

/**
 * The old Dockerfile as it was, on the same Node base as today's images (its FROM could not be pulled here)
 * and with the build secret for this machine's TLS-intercepting proxy on its download steps.
 */
function beforeDockerfile(path: string): string {
  const ca =
    'if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca PIP_CERT=/run/secrets/ca; fi';
  return execFileSync('git', ['show', `${BEFORE_COMMIT}:${path}`], { cwd: repoRoot })
    .toString()
    .replace(/^FROM node:\S+/gm, `FROM ${nodeBaseImage()}`)
    .replace(/^RUN (npm ci|\. \/tmp\/components\.env)/gm, `RUN --mount=type=secret,id=ca ${ca}; $1`);
}

async function buildBefore(storage: string): Promise<Map<string, { seconds: number; bytes: number }>> {
  const exec = buildahIn(storage);
  await ensureNodeBaseImage(exec);
  const work = makeWorkdir('images-before');
  const results = new Map<string, { seconds: number; bytes: number }>();
  try {
    for (const [name, path] of Object.entries(BEFORE_DOCKERFILES)) {
      const dockerfile = join(work.path, `${name}.Dockerfile`);
      writeFileSync(dockerfile, beforeDockerfile(path));
      log(`before: building ${name} from ${BEFORE_COMMIT}:${path}`);
      const started = Date.now();
      const iidfile = join(work.path, `${name}.iid`);
      const build = await exec(
        [
          'bud',
          '--layers',
          '--pull=never',
          `--runtime=${componentPaths().runc}`,
          ...caSecret(),
          `--iidfile=${iidfile}`,
          `--file=${dockerfile}`,
          repoRoot,
        ],
        60 * 60_000,
      );
      if (build.code !== 0) throw new Error(`before: ${name} failed:\n${build.output.slice(-3000)}`);
      const seconds = (Date.now() - started) / 1000;
      const bytes = await localImageSize(readFileSync(iidfile, 'utf8').trim(), exec);
      log(`before: ${name} built in ${sec(seconds)} s, ${mib(bytes)} MiB`);
      results.set(name, { seconds, bytes });
    }
  } finally {
    work.remove();
  }
  return results;
}

async function main(): Promise<void> {
  const cold = makeWorkdir('images-cold-storage');
  const before = makeWorkdir('images-before-storage');
  const [registry, warmRegistry] = [await startRegistry(), await startRegistry()];
  const figures: Array<Record<string, unknown>> = [];
  try {
    log('cold: a buildah storage of its own, no layer, npm or pip cache');
    let started = Date.now();
    const coldImages = await buildImages({ registry, storage: cold.path, log });
    const coldTotal = (Date.now() - started) / 1000;
    log('warm: the same storage again, nothing changed, pushed to a fresh registry');
    started = Date.now();
    const warmImages = await buildImages({ registry: warmRegistry, storage: cold.path, log });
    const warmTotal = (Date.now() - started) / 1000;
    log('edit: one line of the simulator changed');
    const tree = copyRepository('image-context');
    const options = join(tree.path, 'services/simulator/src/options.ts');
    writeFileSync(
      options,
      readFileSync(options, 'utf8').replace('realistic, deterministic', 'edited for the bench,'),
    );
    const [edited] = await buildImages({
      registry: warmRegistry,
      storage: cold.path,
      context: tree.path,
      names: ['simulator'],
      log,
    });
    tree.remove();
    const old = await buildBefore(before.path);

    const byName = (list: BuiltImage[], name: string) => list.find((i) => i.name === name)!;
    for (const image of coldImages) {
      // An image the previous Dockerfiles did not build (insights) has no reference.
      const was = old.get(image.name);
      const against = (
        reference: string,
        value: number,
        before: number | undefined,
        round: (n: number) => number,
      ) =>
        before === undefined
          ? {}
          : { reference, reference_value: round(before), ratio: Math.round((value / before) * 100) / 100 };
      figures.push(
        {
          name: `${image.name}: image size`,
          value: mib(image.sizeBytes),
          unit: 'MiB',
          ...against(`before (${BEFORE_COMMIT}, same base)`, image.sizeBytes, was?.bytes, mib),
        },
        { name: `${image.name}: in the registry (zstd)`, value: mib(image.pullBytes), unit: 'MiB' },
        // Built in order: an image reuses the layers the images before it built (the npm ci of the workspace).
        {
          name: `${image.name}: cold build (after the images before it)`,
          value: sec(image.buildSeconds),
          unit: 's',
          ...against(
            `before (${BEFORE_COMMIT}), cold npm, after the images before it`,
            image.buildSeconds,
            was?.seconds,
            sec,
          ),
        },
        {
          name: `${image.name}: warm rebuild`,
          value: sec(byName(warmImages, image.name).buildSeconds),
          unit: 's',
        },
      );
    }
    const pushed = (list: BuiltImage[]) => sec(list.reduce((s, i) => s + i.pushSeconds, 0));
    const oldTotal = [...old.values()].reduce((s, b) => s + b.seconds, 0);
    const comparable = coldImages.filter((i) => old.has(i.name));
    const comparableTotal = comparable.reduce((s, i) => s + i.buildSeconds, 0);
    const all = `all ${coldImages.length}`;
    figures.push(
      { name: `${all}, cold: build, measure and push`, value: sec(coldTotal), unit: 's' },
      {
        name: `the ${comparable.length} the previous Dockerfiles built: cold builds`,
        value: sec(comparableTotal),
        unit: 's',
        reference: `before (${BEFORE_COMMIT}): cold builds`,
        reference_value: sec(oldTotal),
        ratio: Math.round((comparableTotal / oldTotal) * 100) / 100,
      },
      {
        name: `${all}, warm: build, measure and push to a fresh registry`,
        value: sec(warmTotal),
        unit: 's',
      },
      { name: `${all}, warm: push to a fresh registry`, value: pushed(warmImages), unit: 's' },
      {
        name: 'simulator: rebuild after a one-line edit',
        value: sec(edited!.buildSeconds),
        unit: 's',
        reference: 'simulator warm rebuild',
        reference_value: sec(byName(warmImages, 'simulator').buildSeconds),
        ratio: Math.round((edited!.buildSeconds / byName(warmImages, 'simulator').buildSeconds) * 100) / 100,
      },
    );
  } finally {
    await registry.stop();
    await warmRegistry.stop();
    // Remove the stores through buildah, which unmounts their layers first.
    for (const storage of [cold, before]) {
      const exec = buildahIn(storage.path);
      await exec(['rm', '--all']);
      await exec(['rmi', '--all', '--force']);
      storage.remove();
    }
  }
  const result = {
    benchmark: 'images',
    date: new Date().toISOString(),
    machine: benchMachine(
      "buildah 1.28 on overlay with runc, npm and PyPI through this machine's proxy",
      'no Node',
    ),
    figures,
  };
  writeFileSync(join(repoRoot, 'bench/results/images.json'), `${JSON.stringify(result, null, 2)}\n`);
  log('wrote bench/results/images.json');
}

await main();

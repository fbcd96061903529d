import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltImage,
  buildImages,
  chartImageValues,
  copyRepository,
  listImageFiles,
  localImageSize,
  makeWorkdir,
  nodeBaseImage,
  type RegistryInstance,
  repoRoot,
  runHelm,
  runInImage,
  startRegistry,
} from '../src/index.js';

// What each deployable's entry point must answer when started with nothing configured: its own usage or
// its own configuration error, which it can only reach once every module of its bundle has loaded.
const STARTS: Record<string, { args: string[]; code: number; output: RegExp }> = {
  operator: { args: [], code: 2, output: /no Kubernetes API server configured/ },
  simulator: { args: ['--help'], code: 0, output: /Usage: spotify-simulator/ },
  'spotify-poller': { args: ['--help'], code: 0, output: /Usage: spotify-poller/ },
  'history-import': { args: ['--help'], code: 0, output: /Usage: spotify-history-import/ },
  'lake-writer': { args: [], code: 2, output: /invalid configuration: KAFKA_BROKERS/ },
  // The loader imports DuckDB's native addon at start, so this also proves the addon is in the image.
  loader: { args: [], code: 2, output: /spotify-loader: a command is required: load or batch/ },
  // So does the insights service (its modules, the addon among them, load before --help is read).
  insights: { args: ['--help'], code: 0, output: /Usage: spotify-insights/ },
};

/** Images that carry packages left out of their bundle (native addons, lazily loaded SDKs) besides main.mjs. */
const WITH_EXTERNALS = ['loader', 'insights'];

let registry: RegistryInstance;
const helmHome = makeWorkdir('helm');
let images: BuiltImage[];
const image = (name: string) => images.find((i) => i.name === name)!;

beforeAll(async () => {
  registry = await startRegistry();
  images = await buildImages({ registry });
}, 45 * 60_000);

afterAll(async () => {
  await registry?.stop();
  helmHome.remove();
});

describe('images built with buildah from the Dockerfile', () => {
  it('builds one image per deployable and the registry serves each under the digest returned', async () => {
    expect(images.map((i) => i.name).sort()).toEqual(Object.keys(STARTS).sort());
    for (const built of images) {
      const repository = built.repository.slice(registry.host.length + 1);
      expect(await registry.manifestDigest(repository, built.tag), built.name).toBe(built.digest);
      expect(built.reference).toBe(`${registry.host}/${repository}@${built.digest}`);
    }
    expect(await registry.manifestDigest('spotify-pipeline/simulator', 'no-such-tag')).toBeUndefined();
  });

  it('the chart deploys exactly these images when given their values', async () => {
    const rendered = await runHelm(
      [
        'template',
        'sp',
        join(repoRoot, 'charts/spotify-pipeline'),
        '--set',
        chartImageValues(images).join(','),
      ],
      { home: helmHome.path },
    );
    expect(rendered.stderr).toBe('');
    const references = [...rendered.stdout.matchAll(/(?:image:|value:) "([^"]+@sha256:[a-f0-9]{64})"/g)].map(
      (m) => m[1],
    );
    expect(references.sort()).toEqual(images.map((i) => i.reference).sort());
  });

  it.each(Object.entries(STARTS))('%s: its entry point starts in a container', async (name, expected) => {
    const result = await runInImage(image(name).imageId, expected.args);
    expect(result.output).toMatch(expected.output);
    expect(result.output).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)|Dynamic require/);
    expect(result.code).toBe(expected.code);
  });

  it.each(Object.keys(STARTS))('%s: runs as uid 10001 with a passwd entry', async (name) => {
    const result = await runInImage(
      image(name).imageId,
      ['node', '-e', 'const u = require("os").userInfo(); console.log(u.uid, u.username)'],
      { entrypoint: false },
    );
    expect(result.output.trim()).toBe('10001 app');
  });

  it('holds one bundled main.mjs per deployable and, only in the loader and insights, the packages left out of it', async () => {
    for (const built of images) {
      const files = [...(await listImageFiles(built.imageId, '/app')).keys()];
      const outside = files.filter(
        (f) =>
          !f.startsWith('/app/node_modules/') && !f.startsWith('/app/dbt/') && !f.startsWith('/app/web/'),
      );
      expect(outside.sort(), built.name).toEqual(
        ['/app/main.mjs', ...outside.filter((f) => f === '/app/main.mjs.LEGAL.txt')].sort(),
      );
      if (!WITH_EXTERNALS.includes(built.name)) {
        expect(
          files.filter((f) => f.startsWith('/app/node_modules/')),
          built.name,
        ).toEqual([]);
      }
    }
    // Bundled, so not installed: the workspaces' own dependencies and every dev dependency.
    const installed = await listImageFiles(image('loader').imageId, '/app/node_modules');
    const topLevel = new Set(
      [...installed.keys()].map((f) => /^\/app\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]),
    );
    for (const external of ['@duckdb/node-api', '@duckdb/node-bindings-linux-x64', 'snowflake-sdk'])
      expect(topLevel, external).toContain(external);
    for (const bundled of [
      'kafkajs',
      'minio',
      'pino',
      'pg',
      'zod',
      '@spotify-pipeline/shared',
      'typescript',
      'vitest',
    ])
      expect(topLevel, bundled).not.toContain(bundled);
  });

  it('insights carries the built dashboard and, besides its externals, none of what built it', async () => {
    const files = [...(await listImageFiles(image('insights').imageId, '/app')).keys()];
    expect(files).toContain('/app/web/index.html');
    expect(files.some((f) => /^\/app\/web\/assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
    const topLevel = new Set(
      files.map((f) => /^\/app\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter(Boolean),
    );
    for (const external of ['@duckdb/node-api', 'snowflake-sdk'])
      expect(topLevel, external).toContain(external);
    for (const bundled of ['fastify', 'pg', 'zod', 'vite', 'preact', 'echarts', 'html-to-image'])
      expect(topLevel, bundled).not.toContain(bundled);
  });

  it('the loader runs dbt with the DuckDB and PostgreSQL adapters, and can load snowflake-sdk', async () => {
    const dbt = await runInImage(image('loader').imageId, ['/opt/dbt/bin/dbt', '--version'], {
      entrypoint: false,
    });
    expect(dbt.code).toBe(0);
    expect(dbt.output).toMatch(/duckdb:/);
    expect(dbt.output).toMatch(/postgres:/);
    const snowflake = await runInImage(
      image('loader').imageId,
      ['node', '-e', 'import("snowflake-sdk").then((m) => console.log(typeof m.default.createConnection))'],
      { entrypoint: false },
    );
    expect(snowflake.output.trim()).toBe('function');
  });

  it('holds only its own code: every image but the loader and insights is the base image plus a few MiB', async () => {
    const baseSize = await localImageSize(nodeBaseImage());
    for (const built of images.filter((i) => !WITH_EXTERNALS.includes(i.name))) {
      expect(built.sizeBytes - baseSize, built.name).toBeLessThan(8 * 2 ** 20);
    }
  });

  it('the CA bundle passed as a build secret is in no image', async () => {
    const loader = await runInImage(image('loader').imageId, ['ls', '-A', '/run/secrets'], {
      entrypoint: false,
    });
    expect(loader.output.trim()).toBe('');
  });

  it('rebuilds only what an edit touches, from cached layers, and the new image runs the edit', async () => {
    const tree = copyRepository('image-context');
    try {
      const options = join(tree.path, 'services/simulator/src/options.ts');
      writeFileSync(
        options,
        readFileSync(options, 'utf8').replace('Realistic, deterministic', 'Edited for the image test,'),
      );
      const again = await buildImages({ registry, context: tree.path, names: ['simulator', 'lake-writer'] });
      const [simulator, lakeWriter] = again;
      expect(lakeWriter!.imageId).toBe(image('lake-writer').imageId);
      expect(lakeWriter!.digest).toBe(image('lake-writer').digest);
      expect(simulator!.digest).not.toBe(image('simulator').digest);
      const help = await runInImage(simulator!.imageId, ['--help']);
      expect(help.output).toMatch(/Edited for the image test,/);
    } finally {
      tree.remove();
    }
  });
});

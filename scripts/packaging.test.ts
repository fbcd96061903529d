import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentVersions, imageTargets } from '@spotify-pipeline/harness';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Holds the packaging files to the code: the Dockerfile's targets, skaffold's artifacts and what they watch,
// the chart values skaffold sets, and the operator's list of workload images. harness/test/images.test.ts
// builds and starts the images themselves.
const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Artifact {
  image: string;
  context: string;
  custom: { buildCommand: string; dependencies: { paths: string[]; ignore?: string[] } };
}

const skaffold = parse(read('skaffold.yaml')) as {
  build: { artifacts: Artifact[] };
  deploy: { helm: { releases: Array<{ chartPath: string; setValueTemplates: Record<string, string> }> } };
};
const dockerfile = read('Dockerfile');
const targets = imageTargets(dockerfile);

/** The Dockerfile's stages: name, what it is built FROM, and its instructions. */
function stages(): Map<string, { from: string; lines: string[] }> {
  const result = new Map<string, { from: string; lines: string[] }>();
  let current: string[] | undefined;
  // Continuation lines join their instruction.
  for (const line of dockerfile.replace(/\\\n\s*/g, ' ').split('\n')) {
    const from = /^FROM\s+(\S+)\s+AS\s+(\S+)/i.exec(line);
    if (from) {
      current = [];
      result.set(from[2]!, { from: from[1]!, lines: current });
    } else if (line.trim() && !line.startsWith('#')) current?.push(line.trim());
  }
  return result;
}

/** The stages `target` is built from (its FROM chain and COPY --from stages), itself included. */
function stagesOf(target: string): string[] {
  const all = stages();
  const seen: string[] = [];
  const visit = (name: string) => {
    const stage = all.get(name);
    if (!stage || seen.includes(name)) return;
    seen.push(name);
    visit(stage.from);
    for (const line of stage.lines) {
      const from = /^COPY\s+--from=(\S+)/.exec(line);
      if (from) visit(from[1]!);
    }
  };
  visit(target);
  return seen;
}

/** Repository paths a target's image is built from: the sources of every COPY in its stages. */
function copiedSources(target: string): string[] {
  const all = stages();
  return stagesOf(target).flatMap((name) =>
    all
      .get(name)!
      .lines.filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))
      .flatMap((l) => l.split(/\s+/).slice(1, -1)),
  );
}

describe('the Dockerfile', () => {
  it('defaults NODE_IMAGE to the public Node image the installer assembles an equivalent of', () => {
    const v = componentVersions();
    const major = v.NODE_BASE_NODE_VERSION!.split('.')[0];
    expect(dockerfile).toMatch(
      new RegExp(`^ARG NODE_IMAGE=docker.io/library/node:${major}-${v.NODE_BASE_DEBIAN}-slim$`, 'm'),
    );
  });

  it.each(targets)(
    '%s: non-root, starts the bundle its own stage makes from an existing entry point',
    (target) => {
      const all = stages();
      const stage = all.get(target)!;
      expect(stage.lines).toContain('USER 10001:10001');
      expect(stage.lines).toContain('ENTRYPOINT ["node", "main.mjs"]');
      expect(stage.lines).toContain(`COPY --from=${target}-bundle /out/ ./`);
      const bundle = all.get(`${target}-bundle`)!.lines.find((l) => l.includes('scripts/images/bundle.ts'));
      const entry = /bundle\.ts (\S+) \/out/.exec(bundle ?? '')?.[1];
      expect(entry, `${target}-bundle runs scripts/images/bundle.ts <entry> /out`).toBeDefined();
      expect(existsSync(join(root, entry!)), entry).toBe(true);
      const workspace = entry!.slice(0, entry!.indexOf('/src/'));
      expect(copiedSources(target)).toEqual(
        expect.arrayContaining([`${workspace}/src`, `${workspace}/package.json`, 'services/shared/src']),
      );
    },
  );

  it('installs the dependencies of every workspace it bundles, from the lockfile', () => {
    const deps = stages().get('deps')!.lines;
    expect(deps.some((l) => /npm ci\b/.test(l))).toBe(true);
    for (const path of ['package.json package-lock.json', 'services/shared/package.json']) {
      expect(
        deps.some((l) => l.startsWith(`COPY ${path}`)),
        path,
      ).toBe(true);
    }
  });

  it('pins the loader image dbt to the versions the installer uses', () => {
    const v = componentVersions();
    for (const key of ['DBT_CORE_VERSION', 'DBT_DUCKDB_VERSION', 'DBT_POSTGRES_VERSION', 'DUCKDB_VERSION']) {
      expect(stages().get('loader')!.lines, key).toContain(`ARG ${key}=${v[key]}`);
    }
  });
});

describe('skaffold.yaml', () => {
  it('builds every image the operator deploys and sets each, as built, in the chart values it reads', () => {
    // IMAGE_SPOTIFY_POLLER in the operator's settings <- images.spotifyPoller in the chart <- the artifact
    // ghcr.io/spotify-pipeline/spotify-poller (whose template variables end in _spotify_poller).
    const settings = [
      ...read('operator/src/config.ts').matchAll(/^\s+IMAGE_([A-Z_]+): imageReference\('([a-z-]+)'\)/gm),
    ];
    expect(settings.map((m) => m[2])).toEqual(
      expect.arrayContaining(['simulator', 'spotify-poller', 'history-import', 'lake-writer', 'loader']),
    );
    const templates = skaffold.deploy.helm.releases[0]!.setValueTemplates;
    const deployment = read('charts/spotify-pipeline/templates/deployment.yaml');
    const images = [...settings.map((m) => [`images.${camel(m[2]!)}`, m[2]!]), ['image', 'operator']];
    for (const [key, name] of images) {
      const artifact = skaffold.build.artifacts.find((a) => a.image.endsWith(`/${name}`));
      expect(artifact, `an artifact for ${name}`).toBeDefined();
      const variable = artifact!.image.replace(/[^a-zA-Z0-9]/g, '_');
      expect(templates[`${key}.repository`]).toBe(`{{.IMAGE_REPO_${variable}}}`);
      expect(templates[`${key}.tag`]).toBe(`{{.IMAGE_TAG_${variable}}}`);
      expect(templates[`${key}.digest`]).toBe(`{{.IMAGE_DIGEST_${variable}}}`);
    }
    for (const [, setting, name] of settings) {
      expect(deployment).toContain(
        `- name: IMAGE_${setting}\n              value: {{ include "spotify-pipeline.image" (list .Values.images.${camel(name!)} .) | quote }}`,
      );
    }
  });

  it('has one artifact per Dockerfile target, built by the custom builder with that target', () => {
    expect(skaffold.build.artifacts.map((a) => a.image.split('/').pop()).sort()).toEqual([...targets].sort());
    for (const artifact of skaffold.build.artifacts) {
      const target = artifact.image.split('/').pop();
      expect(artifact.context).toBe('.');
      expect(artifact.custom.buildCommand).toBe(`bash scripts/images/skaffold-build.sh ${target}`);
    }
  });

  it.each(targets)(
    '%s: watches every file its image is built from, so skaffold dev rebuilds it',
    (target) => {
      const artifact = skaffold.build.artifacts.find((a) => a.image.endsWith(`/${target}`))!;
      const watched = artifact.custom.dependencies.paths;
      const covered = (path: string) =>
        watched.some((w) => {
          const pattern = new RegExp(`^${w.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]+')}(/.*)?$`);
          return pattern.test(path);
        });
      for (const source of ['Dockerfile', ...copiedSources(target)]) {
        expect(covered(source), `${target} watches ${source}`).toBe(true);
      }
    },
  );

  it('sets only values that the chart defines', () => {
    const values = parse(read('charts/spotify-pipeline/values.yaml')) as Record<string, unknown>;
    const release = skaffold.deploy.helm.releases[0]!;
    expect(existsSync(join(root, release.chartPath, 'Chart.yaml'))).toBe(true);
    for (const key of Object.keys(release.setValueTemplates)) {
      const value = key
        .split('.')
        .reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], values);
      expect(value, `values.yaml has ${key}`).not.toBeUndefined();
    }
  });
});

const camel = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

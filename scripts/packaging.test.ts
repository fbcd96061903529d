import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Docker cannot run here, so these checks hold the packaging files to what the code really provides.
const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Artifact {
  image: string;
  docker: { dockerfile: string };
}

const skaffold = parse(read('skaffold.yaml')) as {
  build: { artifacts: Artifact[] };
  deploy: { helm: { releases: Array<{ chartPath: string; setValueTemplates: Record<string, string> }> } };
};

describe('skaffold.yaml and the Dockerfiles', () => {
  it('builds an image for every workload the operator deploys, and the operator itself', () => {
    const deployed = [
      ...read('operator/src/operator.ts').matchAll(/`\$\{registry\}\/([a-z-]+):\$\{tag\}`/g),
    ].map((m) => m[1]);
    expect(deployed).toEqual(expect.arrayContaining(['simulator', 'lake-writer', 'loader']));
    const images = skaffold.build.artifacts.map((a) => a.image.split('/').pop());
    for (const name of new Set(deployed)) expect(images, `an artifact for ${name}`).toContain(name);
    expect(images).toContain('operator');
  });

  it.each(skaffold.build.artifacts.map((a) => [a.image, a.docker.dockerfile]))(
    '%s: its Dockerfile exists, runs as non-root and starts a file the package compiles to',
    (_image, dockerfile) => {
      const text = read(dockerfile);
      expect(text).toMatch(/^USER 10001:10001$/m);
      const entry = /ENTRYPOINT \["node", "([^"]+)"\]/.exec(text)?.[1];
      expect(entry, 'ENTRYPOINT ["node", "<file>"]').toBeDefined();
      const source = entry!.replace('/dist/', '/').replace(/\.js$/, '.ts');
      expect(existsSync(join(root, source)), `${source} (what ${entry} is compiled from)`).toBe(true);
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

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartImageValues, imageTargets } from './images.js';
import { repoRoot } from './paths.js';

describe('imageTargets', () => {
  it('lists the stages that set an entry point, in order, and no build-only stage', () => {
    const dockerfile = [
      'ARG NODE_IMAGE=node:26',
      'FROM $NODE_IMAGE AS deps',
      'RUN npm ci',
      'FROM deps AS b-bundle',
      'FROM $NODE_IMAGE AS runtime',
      'FROM runtime AS b',
      'ENTRYPOINT ["node", "main.mjs"]',
      'from runtime as a',
      'entrypoint ["node", "main.mjs"]',
      'CMD ["batch"]',
    ].join('\n');
    expect(imageTargets(dockerfile)).toEqual(['b', 'a']);
  });

  it("finds the repository's seven deployables", () => {
    expect(imageTargets(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))).toEqual([
      'operator',
      'simulator',
      'spotify-poller',
      'history-import',
      'lake-writer',
      'insights',
      'loader',
    ]);
  });
});

describe('chartImageValues', () => {
  it("sets the operator's image and each workload's, by digest, under the chart's value names", () => {
    const digest = `sha256:${'1'.repeat(64)}`;
    expect(
      chartImageValues([
        { name: 'operator', repository: '127.0.0.1:5000/sp/operator', digest },
        { name: 'spotify-poller', repository: '127.0.0.1:5000/sp/spotify-poller', digest },
      ]),
    ).toEqual([
      'image.repository=127.0.0.1:5000/sp/operator',
      `image.digest=${digest}`,
      'images.spotifyPoller.repository=127.0.0.1:5000/sp/spotify-poller',
      `images.spotifyPoller.digest=${digest}`,
    ]);
  });
});

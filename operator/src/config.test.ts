import { ConfigError, loadConfig } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { operatorEnvSchema, workloadImages } from './config.js';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;

describe('the workload images the operator deploys', () => {
  it('defaults to the public images of this release', () => {
    expect(workloadImages(loadConfig(operatorEnvSchema, {}))).toEqual({
      sources: {
        simulator: 'ghcr.io/spotify-pipeline/simulator:0.1.0',
        spotify_api: 'ghcr.io/spotify-pipeline/spotify-poller:0.1.0',
        history_import: 'ghcr.io/spotify-pipeline/history-import:0.1.0',
      },
      lakeWriter: 'ghcr.io/spotify-pipeline/lake-writer:0.1.0',
      loader: 'ghcr.io/spotify-pipeline/loader:0.1.0',
      transformer: 'ghcr.io/spotify-pipeline/loader:0.1.0',
      insights: 'ghcr.io/spotify-pipeline/insights:0.1.0',
    });
  });

  it('takes each image as set, by tag or digest, from any registry; the loader image also transforms', () => {
    const images = workloadImages(
      loadConfig(operatorEnvSchema, {
        IMAGE_SIMULATOR: `127.0.0.1:5000/spotify-pipeline/simulator@${DIGEST}`,
        IMAGE_SPOTIFY_POLLER: 'localhost:5000/poller:dev',
        IMAGE_HISTORY_IMPORT: `registry.example.com/team/history-import:1.2.3@${DIGEST}`,
        IMAGE_LAKE_WRITER: 'lake-writer:v2',
        IMAGE_LOADER: 'ghcr.io/spotify-pipeline/loader:0.1.0-rc.1',
      }),
    );
    expect(images.sources.simulator).toBe(`127.0.0.1:5000/spotify-pipeline/simulator@${DIGEST}`);
    expect(images.sources.spotify_api).toBe('localhost:5000/poller:dev');
    expect(images.sources.history_import).toBe(`registry.example.com/team/history-import:1.2.3@${DIGEST}`);
    expect(images.lakeWriter).toBe('lake-writer:v2');
    expect(images.transformer).toBe('ghcr.io/spotify-pipeline/loader:0.1.0-rc.1');
  });

  it.each([
    ['', 'must be an image reference'],
    ['127.0.0.1:5000/spotify-pipeline/loader', 'must name a tag'],
    ['loader', 'must name a tag'],
    ['ghcr.io/Spotify/loader:1', 'must be an image reference'],
    ['ghcr.io/spotify-pipeline/loader:1 --privileged', 'must be an image reference'],
    ['ghcr.io/spotify-pipeline/loader:1\nIMAGE_LOADER=evil:1', 'must be an image reference'],
    ['ghcr.io/spotify-pipeline/loader@sha256:abc', 'must be an image reference'],
    ['-v:1', 'must be an image reference'],
    [`ghcr.io/${'a/'.repeat(300)}loader:1`, 'Too big'],
  ])('refuses %j with a message naming IMAGE_LOADER', (value, message) => {
    const load = () => loadConfig(operatorEnvSchema, { IMAGE_LOADER: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/IMAGE_LOADER/);
    expect(load).toThrow(message);
  });
});

describe('the namespaces the operator watches', () => {
  it('is every namespace unless listed; a list is trimmed and deduplicated', () => {
    expect(loadConfig(operatorEnvSchema, {}).WATCH_NAMESPACES).toEqual([]);
    expect(loadConfig(operatorEnvSchema, { WATCH_NAMESPACES: '' }).WATCH_NAMESPACES).toEqual([]);
    expect(
      loadConfig(operatorEnvSchema, { WATCH_NAMESPACES: ' team-a, team-b ,,team-a' }).WATCH_NAMESPACES,
    ).toEqual(['team-a', 'team-b']);
  });

  it.each([
    ['Team-A', 'namespace names such as team-a'],
    ['team_a', 'namespace names such as team-a'],
    ['a,-b', 'namespace names such as team-a'],
    ['n'.repeat(64), 'at most 63 characters'],
  ])('refuses %j with the variable named', (value, message) => {
    expect(() => loadConfig(operatorEnvSchema, { WATCH_NAMESPACES: value })).toThrow(
      new RegExp(`WATCH_NAMESPACES.*${message}`, 's'),
    );
  });
});

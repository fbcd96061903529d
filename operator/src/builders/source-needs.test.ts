import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/support/builder-context.js';
import { type ClusterFacts, checkSources, sourceNeeds } from './source-needs.js';

const ctx = testContext({
  sources: [
    { type: 'simulator' },
    {
      type: 'spotify_api',
      credentialsSecret: 'spotify-app',
      spotifyApi: {
        tokenSecret: 'spotify-tokens',
        listeners: [{ userId: 'alice' }, { userId: 'bob', tokenKey: 'b' }],
      },
    },
    { type: 'history_import', historyImport: { prefix: 'imports/alice/' } },
  ],
});

function facts(secrets: Record<string, string[]>, files: Record<string, number | string>): ClusterFacts {
  return {
    secretKeys: (name) => (secrets[name] ? new Set(secrets[name]) : null),
    exportFiles: (prefix) => files[prefix] ?? 'not asked',
  };
}

const ready = facts(
  { 'spotify-app': ['SPOTIFY_CLIENT_ID', 'SPOTIFY_CLIENT_SECRET'], 'spotify-tokens': ['alice', 'b'] },
  { 'imports/alice/': 3 },
);

describe('what a source needs', () => {
  it('lists the app credentials, one token per listener and the export prefix', () => {
    const [sim, poll, imp] = sourceNeeds(ctx);
    expect(sim?.secrets).toEqual([]);
    expect(poll?.secrets.map((s) => `${s.secret}/${s.key}:${s.required}`)).toEqual([
      'spotify-app/SPOTIFY_CLIENT_ID:true',
      'spotify-app/SPOTIFY_CLIENT_SECRET:true',
      'spotify-tokens/alice:false',
      'spotify-tokens/b:false',
    ]);
    expect(imp?.exportPrefix).toBe('imports/alice/');
  });
});

describe('what is missing', () => {
  it('nothing when the cluster has it all', () => {
    expect(checkSources(sourceNeeds(ctx), ready).flatMap((r) => [...r.blocking, ...r.degraded])).toEqual([]);
  });

  it('a missing app Secret blocks the poller, in one line that says what to create', () => {
    const result = checkSources(
      sourceNeeds(ctx),
      facts({ 'spotify-tokens': ['alice', 'b'] }, { 'imports/alice/': 1 }),
    );
    expect(result[1]?.blocking).toEqual([
      'spec.sources[1] (spotify_api): Secret spotify-app does not exist: create it with the keys SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET',
    ]);
    expect(result[0]?.blocking).toEqual([]);
  });

  it('a missing app key blocks; a missing listener token only degrades (the others are polled)', () => {
    const result = checkSources(
      sourceNeeds(ctx),
      facts({ 'spotify-app': ['SPOTIFY_CLIENT_ID'], 'spotify-tokens': ['alice'] }, { 'imports/alice/': 1 }),
    )[1];
    expect(result?.blocking).toEqual([
      'spec.sources[1] (spotify_api): Secret spotify-app has no key SPOTIFY_CLIENT_SECRET (the Spotify app client secret)',
    ]);
    expect(result?.degraded).toEqual([
      'spec.sources[1] (spotify_api): Secret spotify-tokens has no key b (the refresh token of listener bob)',
    ]);
  });

  it('an import waits until export files are known to be under its prefix', () => {
    const none = checkSources(sourceNeeds(ctx), facts({}, { 'imports/alice/': 0 }))[2];
    expect(none?.blocking).toEqual([
      'spec.sources[2] (history_import): no Streaming_History_Audio_*.json objects under imports/alice/ in the lake bucket: upload the files of the Spotify export there',
    ]);
    expect(
      checkSources(sourceNeeds(ctx), facts({}, { 'imports/alice/': 'the lake is not answering' }))[2]
        ?.blocking,
    ).toEqual([
      'spec.sources[2] (history_import): the export files under imports/alice/ could not be counted yet: the lake is not answering',
    ]);
  });
});

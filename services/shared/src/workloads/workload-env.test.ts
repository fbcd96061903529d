import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { historyImportEnvSchema } from './history-import-env.js';
import { simulatorEnvSchema, writesCatalogFilesOnly } from './simulator-env.js';
import { sourceTopics } from './source-env.js';
import { spotifyPollerEnvSchema } from './spotify-poller-env.js';

const kafka = { KAFKA_BROKERS: 'k:9092' };
const lake = {
  LAKE_ENDPOINT: 'http://s3:9000',
  LAKE_BUCKET: 'spotify-lake',
  LAKE_ACCESS_KEY: 'a',
  LAKE_SECRET_KEY: 'b',
};

describe('source topics', () => {
  it('come from the contract under a prefix, or from the configured events topic', () => {
    const plain = loadConfig(simulatorEnvSchema, kafka);
    expect(sourceTopics(plain)).toEqual({
      events: 'listening-events',
      deadLetter: 'listening-events.dlq',
      artist: 'catalog.artists',
      album: 'catalog.albums',
      track: 'catalog.tracks',
    });
    const named = loadConfig(simulatorEnvSchema, {
      ...kafka,
      SOURCE_TOPIC_PREFIX: 't.',
      SOURCE_TOPIC: 'plays',
    });
    expect(sourceTopics(named)).toMatchObject({
      events: 'plays',
      deadLetter: 'plays.dlq',
      track: 't.catalog.tracks',
    });
    expect(named.SOURCE_TOPIC_PARTITIONS).toBe(6);
  });

  it('refuses a name Kafka would refuse', () => {
    expect(() => loadConfig(simulatorEnvSchema, { ...kafka, SOURCE_TOPIC: 'listening events' })).toThrow(
      /SOURCE_TOPIC: must be a Kafka topic name/,
    );
    expect(() => loadConfig(simulatorEnvSchema, { ...kafka, SOURCE_TOPIC: 'x'.repeat(250) })).toThrow(
      /SOURCE_TOPIC/,
    );
    expect(() => loadConfig(simulatorEnvSchema, { ...kafka, SOURCE_TOPIC_PARTITIONS: '0' })).toThrow(
      /SOURCE_TOPIC_PARTITIONS/,
    );
  });

  it('takes the prefix of the longest events topic the operator allows (233), whose catalog names fit 249', () => {
    const events = 'e'.repeat(233);
    const config = loadConfig(simulatorEnvSchema, {
      ...kafka,
      SOURCE_TOPIC: events,
      SOURCE_TOPIC_PREFIX: `${events}.`,
    });
    expect(sourceTopics(config).artist).toHaveLength(249);
    expect(() => loadConfig(simulatorEnvSchema, { ...kafka, SOURCE_TOPIC_PREFIX: 'p'.repeat(235) })).toThrow(
      /SOURCE_TOPIC_PREFIX: must be at most 234/,
    );
  });
});

describe('simulatorEnvSchema', () => {
  it('has the defaults the CLI documents', () => {
    expect(loadConfig(simulatorEnvSchema, kafka)).toMatchObject({
      SIMULATOR_MODE: 'backfill',
      SIMULATOR_SEED: 1,
      SIMULATOR_LISTENERS: 10_000,
      SIMULATOR_START: Date.UTC(2026, 0, 1),
      SIMULATOR_CATALOG: true,
      SIMULATOR_PRODUCERS: 2,
    });
  });

  it('names every bad variable in one message', () => {
    expect(() =>
      loadConfig(simulatorEnvSchema, {
        ...kafka,
        SIMULATOR_MODE: 'fast',
        SIMULATOR_RATE: '-1',
        SIMULATOR_START: '01/02/2026',
        SIMULATOR_PRODUCERS: '17',
      }),
    ).toThrow(
      /SIMULATOR_MODE.*SIMULATOR_START: must be a UTC date.*SIMULATOR_RATE: must be greater than 0.*SIMULATOR_PRODUCERS/,
    );
  });

  it('needs a broker only when it writes to Kafka', () => {
    expect(() => loadConfig(simulatorEnvSchema, {})).toThrow(/KAFKA_BROKERS: is required/);
    expect(loadConfig(simulatorEnvSchema, { SIMULATOR_OUT: '-' }).SIMULATOR_OUT).toBe('-');
    expect(() => loadConfig(simulatorEnvSchema, { SIMULATOR_OUT: '-', SIMULATOR_DRY_RUN: 'true' })).toThrow(
      /exclude each other/,
    );
  });

  it('takes a catalog import (--catalog-only) only when it has something to do', () => {
    const csv = { SIMULATOR_CATALOG_CSV: '/data/tracks.csv', SIMULATOR_CATALOG_ONLY: 'true' };
    expect(loadConfig(simulatorEnvSchema, { ...kafka, ...csv })).toMatchObject({
      SIMULATOR_CATALOG_ONLY: true,
    });
    // To files with no Kafka named: no broker needed.
    expect(
      writesCatalogFilesOnly(loadConfig(simulatorEnvSchema, { ...csv, SIMULATOR_CATALOG_OUT: '/tmp/c' })),
    ).toBe(true);
    expect(
      writesCatalogFilesOnly(
        loadConfig(simulatorEnvSchema, { ...kafka, ...csv, SIMULATOR_CATALOG_OUT: '/tmp/c' }),
      ),
    ).toBe(false);
    expect(() => loadConfig(simulatorEnvSchema, csv)).toThrow(/KAFKA_BROKERS: is required/);
    expect(() => loadConfig(simulatorEnvSchema, { ...kafka, ...csv, SIMULATOR_OUT: '/tmp/e.jsonl' })).toThrow(
      /SIMULATOR_OUT: writes events, and SIMULATOR_CATALOG_ONLY makes none: SIMULATOR_CATALOG_OUT writes the catalog/,
    );
    expect(() => loadConfig(simulatorEnvSchema, { ...kafka, ...csv, SIMULATOR_CATALOG: 'false' })).toThrow(
      /SIMULATOR_CATALOG_ONLY: leaves nothing to do/,
    );
    expect(() => loadConfig(simulatorEnvSchema, { ...kafka, SIMULATOR_CATALOG_CSV: '' })).toThrow(
      /SIMULATOR_CATALOG_CSV: must be a path/,
    );
  });
});

describe('spotifyPollerEnvSchema', () => {
  const base = {
    ...kafka,
    ...lake,
    SPOTIFY_CLIENT_ID: 'app',
    SPOTIFY_CLIENT_SECRET: 's',
    SPOTIFY_POLLER_LISTENERS: JSON.stringify([
      { user_id: 'alice', refresh_token_env: 'SPOTIFY_REFRESH_TOKEN_0' },
    ]),
  };

  it('reads the listeners from JSON, with defaults, and keeps cursors in the lake', () => {
    const config = loadConfig(spotifyPollerEnvSchema, base);
    expect(config.SPOTIFY_POLLER_LISTENERS).toEqual([
      { user_id: 'alice', refresh_token_env: 'SPOTIFY_REFRESH_TOKEN_0', country: null, device: 'mobile' },
    ]);
    expect(config.SPOTIFY_POLLER_STATE_PREFIX).toBe('state/spotify-poller/');
    expect(config.SPOTIFY_POLLER_INTERVAL_SECONDS).toBe(60);
  });

  it.each([
    ['not JSON', '[{', /SPOTIFY_POLLER_LISTENERS: is not JSON/],
    ['an empty list', '[]', /list at least one listener/],
    ['a token in the list', '[{"user_id":"a","refresh_token":"x","refresh_token_env":"T"}]', /refresh_token/],
    ['a bad device', '[{"user_id":"a","refresh_token_env":"T","device":"fridge"}]', /device/],
    [
      'a user twice',
      '[{"user_id":"a","refresh_token_env":"T"},{"user_id":"a","refresh_token_env":"U"}]',
      /unique/,
    ],
    ['a nested bomb', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, /SPOTIFY_POLLER_LISTENERS/],
  ])('refuses listeners that are %s', (_what, value, message) => {
    expect(() => loadConfig(spotifyPollerEnvSchema, { ...base, SPOTIFY_POLLER_LISTENERS: value })).toThrow(
      message,
    );
  });

  it('needs the lake for its cursors unless it keeps them in a folder, and one client secret', () => {
    const { LAKE_ENDPOINT: _e, LAKE_SECRET_KEY: _s, ...noLake } = base;
    expect(() => loadConfig(spotifyPollerEnvSchema, noLake)).toThrow(
      /LAKE_ENDPOINT: is required to keep cursors in the lake.*LAKE_SECRET_KEY/,
    );
    expect(
      loadConfig(spotifyPollerEnvSchema, { ...noLake, SPOTIFY_POLLER_STATE_DIR: '/tmp/s' }),
    ).toBeTruthy();
    expect(() =>
      loadConfig(spotifyPollerEnvSchema, { ...base, SPOTIFY_CLIENT_SECRET_FILE: '/run/secret' }),
    ).toThrow(/exactly one of SPOTIFY_CLIENT_SECRET/);
  });
});

describe('historyImportEnvSchema', () => {
  it('reads a lake prefix with the lake settings, or local paths', () => {
    expect(
      loadConfig(historyImportEnvSchema, { ...kafka, ...lake, HISTORY_IMPORT_PREFIX: 'imports/alice/' }),
    ).toMatchObject({
      HISTORY_IMPORT_PREFIX: 'imports/alice/',
      HISTORY_IMPORT_MAX_OBJECT_BYTES: 64 * 1024 * 1024,
    });
    expect(
      loadConfig(historyImportEnvSchema, { ...kafka, HISTORY_IMPORT_PATHS: '/a:/b' }).HISTORY_IMPORT_PATHS,
    ).toEqual(['/a', '/b']);
  });

  it('wants exactly one input, the lake for a prefix, and a broker unless it writes a file', () => {
    expect(() => loadConfig(historyImportEnvSchema, kafka)).toThrow(/exactly one of HISTORY_IMPORT_PREFIX/);
    expect(() => loadConfig(historyImportEnvSchema, { ...kafka, HISTORY_IMPORT_PREFIX: 'imports/' })).toThrow(
      /LAKE_ENDPOINT: is required to read HISTORY_IMPORT_PREFIX/,
    );
    expect(() => loadConfig(historyImportEnvSchema, { HISTORY_IMPORT_PATHS: '/a' })).toThrow(/KAFKA_BROKERS/);
    expect(
      loadConfig(historyImportEnvSchema, { HISTORY_IMPORT_PATHS: '/a', HISTORY_IMPORT_OUT: '/o' }),
    ).toBeTruthy();
    expect(() =>
      loadConfig(historyImportEnvSchema, { ...kafka, ...lake, HISTORY_IMPORT_PREFIX: 'imports/\u0000' }),
    ).toThrow(/HISTORY_IMPORT_PREFIX: must be an object-key prefix/);
  });
});

import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import type { SpotifyPipeline } from '../crd/spotify-pipeline.js';
import { conflictMessage, holderOf, resolveClaims, wantedClaims } from './claims.js';

function pipeline(
  name: string,
  created: string,
  spec: Record<string, unknown> = {},
  claims?: string[],
): SpotifyPipeline {
  const p = testPipeline(spec);
  p.metadata = { ...p.metadata, name, uid: `uid-${name}`, creationTimestamp: created };
  if (claims) p.status = { claims };
  return p;
}

describe('claims', () => {
  it('a pipeline claims its topic, dead-letter and catalog topics, and lake prefix', () => {
    expect(wantedClaims(pipeline('a', '2026-01-01T00:00:00Z')).map((c) => c.id)).toEqual([
      'kafkatopic:kafka/listening-events',
      'kafkatopic:kafka/listening-events.dlq',
      'kafkatopic:kafka/listening-events.catalog.artists',
      'kafkatopic:kafka/listening-events.catalog.albums',
      'kafkatopic:kafka/listening-events.catalog.tracks',
      'lake:http://minio.minio:9000/spotify-lake/bronze/listening-events/',
    ]);
    const external = pipeline('x', '2026-01-01T00:00:00Z', {
      kafka: { mode: 'external', external: { bootstrapServers: 'B:9092, a:9092' } },
    });
    expect(wantedClaims(external)[0]?.id).toBe('kafka://a:9092,b:9092/listening-events');
    expect(wantedClaims(external)[4]?.id).toBe('kafka://a:9092,b:9092/listening-events.catalog.tracks');
  });

  it("a pipeline whose events topic is another's catalog topic cannot take it", () => {
    const a = pipeline('a', '2026-01-01T00:00:00Z', {
      kafka: { strimzi: { cluster: 'events', namespace: 'kafka' }, topic: { name: 'plays' } },
    });
    const b = pipeline('b', '2026-01-02T00:00:00Z', {
      kafka: { strimzi: { cluster: 'events', namespace: 'kafka' }, topic: { name: 'plays.catalog.tracks' } },
    });
    expect(conflictMessage(resolveClaims(b, [a, b]), 'Topic')).toBe(
      'topic plays.catalog.tracks (KafkaTopic kafka/plays.catalog.tracks) belongs to pipeline music/a',
    );
  });

  it('the oldest of two new claimants holds it; the other learns who', () => {
    const a = pipeline('a', '2026-01-01T00:00:00Z');
    const b = pipeline('b', '2026-01-02T00:00:00Z');
    expect(resolveClaims(a, [a, b]).conflicts).toEqual([]);
    const view = resolveClaims(b, [a, b]);
    expect(view.held).toEqual([]);
    expect(view.conflicts.map((c) => c.owner)).toEqual(Array(6).fill('music/a'));
    expect(conflictMessage(view, 'Topic')).toContain(
      'topic listening-events (KafkaTopic kafka/listening-events) belongs to pipeline music/a',
    );
    expect(conflictMessage(view, 'LakePrefix')).toContain('s3://spotify-lake/bronze/listening-events/');
  });

  it('a recorded claim stays with its holder even when an older pipeline turns to it', () => {
    const older = pipeline('older', '2025-01-01T00:00:00Z', {
      kafka: { strimzi: { cluster: 'events', namespace: 'kafka' }, topic: { name: 'other' } },
    });
    const holder = pipeline('holder', '2026-01-01T00:00:00Z', {}, ['kafkatopic:kafka/listening-events']);
    const turned = pipeline('older', '2025-01-01T00:00:00Z');
    expect(holderOf('kafkatopic:kafka/listening-events', [turned, holder])?.metadata.name).toBe('holder');
    expect(resolveClaims(turned, [older, holder]).conflicts[0]?.owner).toBe('music/holder');
  });

  it('pipelines on other topics, clusters or buckets do not conflict', () => {
    const a = pipeline('a', '2026-01-01T00:00:00Z');
    const otherTopic = pipeline('b', '2026-01-02T00:00:00Z', {
      kafka: { strimzi: { cluster: 'events', namespace: 'kafka' }, topic: { name: 'b-events' } },
    });
    expect(resolveClaims(otherTopic, [a, otherTopic]).conflicts).toEqual([]);
  });
});

import { loadWorkloadConfig, spotifyPollerEnvSchema } from '@spotify-pipeline/shared/workloads';
import { describe, expect, it } from 'vitest';
import { POLLER_FLAGS } from './options.js';

describe('spotify-poller flags', () => {
  it('--help lists every flag with the variable it sets, the topic flags every source takes among them', () => {
    let help = '';
    loadWorkloadConfig(
      spotifyPollerEnvSchema,
      ['--help'],
      POLLER_FLAGS,
      {},
      { write: (t: string) => (help += t) },
    );
    // Flag names and variables are a public interface (docs, the operator's workloads): changing one is deliberate.
    expect(
      [...help.matchAll(/^ {2}--(\S+) .*\[(\S+)\]$/gm)].map(([, flag, env]) => `--${flag} ${env}`),
    ).toEqual([
      '--listeners SPOTIFY_POLLER_LISTENERS_FILE',
      '--state-dir SPOTIFY_POLLER_STATE_DIR',
      '--interval SPOTIFY_POLLER_INTERVAL_SECONDS',
      '--once SPOTIFY_POLLER_ONCE=true',
      '--create-topics SOURCE_CREATE_TOPICS=true',
      '--partitions SOURCE_TOPIC_PARTITIONS',
      '--topic SOURCE_TOPIC',
      '--topic-prefix SOURCE_TOPIC_PREFIX',
    ]);
  });
});

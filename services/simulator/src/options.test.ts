import { loadWorkloadConfig, simulatorEnvSchema } from '@spotify-pipeline/shared/workloads';
import { describe, expect, it } from 'vitest';
import { SIMULATOR_FLAGS } from './options.js';

describe('spotify-simulator flags', () => {
  it('--help lists every flag with the variable it sets, the topic flags every source takes among them', () => {
    let help = '';
    loadWorkloadConfig(
      simulatorEnvSchema,
      ['--help'],
      SIMULATOR_FLAGS,
      {},
      { write: (t: string) => (help += t) },
    );
    // Flag names and variables are a public interface (docs, the operator's workloads): changing one is deliberate.
    expect(
      [...help.matchAll(/^ {2}--(\S+) .*\[(\S+)\]$/gm)].map(([, flag, env]) => `--${flag} ${env}`),
    ).toEqual([
      '--mode SIMULATOR_MODE',
      '--seed SIMULATOR_SEED',
      '--run-id SIMULATOR_RUN_ID',
      '--listeners SIMULATOR_LISTENERS',
      '--artists SIMULATOR_ARTISTS',
      '--start SIMULATOR_START',
      '--days SIMULATOR_DAYS',
      '--events-per-listener-day SIMULATOR_EVENTS_PER_LISTENER_DAY',
      '--rate SIMULATOR_RATE',
      '--max-events SIMULATOR_MAX_EVENTS',
      '--seconds SIMULATOR_SECONDS',
      '--out SIMULATOR_OUT',
      '--dry-run SIMULATOR_DRY_RUN=true',
      '--catalog-out SIMULATOR_CATALOG_OUT',
      '--catalog-csv SIMULATOR_CATALOG_CSV',
      '--catalog-only SIMULATOR_CATALOG_ONLY=true',
      '--summary SIMULATOR_SUMMARY',
      '--ground-truth-prefix SIMULATOR_GROUND_TRUTH_PREFIX',
      '--no-catalog SIMULATOR_CATALOG=false',
      '--create-topics SOURCE_CREATE_TOPICS=true',
      '--partitions SOURCE_TOPIC_PARTITIONS',
      '--topic SOURCE_TOPIC',
      '--topic-prefix SOURCE_TOPIC_PREFIX',
      '--producers SIMULATOR_PRODUCERS',
      '--progress-seconds SIMULATOR_PROGRESS_SECONDS',
      '--metrics-port OPS_PORT',
    ]);
  });
});

import { historyImportEnvSchema, loadWorkloadConfig } from '@spotify-pipeline/shared/workloads';
import { describe, expect, it } from 'vitest';
import { HISTORY_IMPORT_FLAGS } from './options.js';

describe('spotify-history-import flags', () => {
  it('--help lists every flag with the variable it sets, the topic flags every source takes among them', () => {
    let help = '';
    loadWorkloadConfig(
      historyImportEnvSchema,
      ['--help'],
      HISTORY_IMPORT_FLAGS,
      {},
      { write: (t: string) => (help += t) },
    );
    // Flag names and variables are a public interface (docs, the operator's workloads): changing one is deliberate.
    expect(
      [...help.matchAll(/^ {2}--(\S+) .*\[(\S+)\]$/gm)].map(([, flag, env]) => `--${flag} ${env}`),
    ).toEqual([
      '--prefix HISTORY_IMPORT_PREFIX',
      '--user HISTORY_IMPORT_USER',
      '--include-incognito HISTORY_IMPORT_INCLUDE_INCOGNITO=true',
      '--out HISTORY_IMPORT_OUT',
      '--create-topics SOURCE_CREATE_TOPICS=true',
      '--partitions SOURCE_TOPIC_PARTITIONS',
      '--topic SOURCE_TOPIC',
      '--topic-prefix SOURCE_TOPIC_PREFIX',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FlagTable, flagsToEnv, loadWorkloadConfig } from './flags.js';
import { sourceKafkaShape } from './source-env.js';
import { SOURCE_TOPIC_FLAGS } from './source-flags.js';

const table: FlagTable = {
  command: { name: 'source', usage: '[options]', summary: 'Writes events.' },
  flags: { ...SOURCE_TOPIC_FLAGS },
};
const schema = z.object(sourceKafkaShape);

describe('the topic flags every source takes', () => {
  it('each sets a variable every source schema has', () => {
    for (const flag of Object.values(SOURCE_TOPIC_FLAGS))
      expect(Object.keys(sourceKafkaShape)).toContain(flag.env);
  });

  it('set the source variables, parsed with their defaults and limits', () => {
    const argv = ['--create-topics', '--partitions', '3', '--topic', 'ev', '--topic-prefix', 'p.'];
    expect(flagsToEnv(argv, table)).toEqual({
      SOURCE_CREATE_TOPICS: 'true',
      SOURCE_TOPIC_PARTITIONS: '3',
      SOURCE_TOPIC: 'ev',
      SOURCE_TOPIC_PREFIX: 'p.',
    });
    expect(loadWorkloadConfig(schema, argv, table, {})).toMatchObject({
      SOURCE_CREATE_TOPICS: true,
      SOURCE_TOPIC_PARTITIONS: 3,
      SOURCE_TOPIC: 'ev',
      SOURCE_TOPIC_PREFIX: 'p.',
    });
    expect(loadWorkloadConfig(schema, [], table, {})).toMatchObject({
      SOURCE_CREATE_TOPICS: false,
      SOURCE_TOPIC_PARTITIONS: 6,
      SOURCE_TOPIC_PREFIX: '',
    });
    expect(() => loadWorkloadConfig(schema, ['--partitions', '0'], table, {})).toThrow(
      /SOURCE_TOPIC_PARTITIONS \(--partitions\):/,
    );
  });

  it('are listed in --help with the variable each sets', () => {
    let help = '';
    loadWorkloadConfig(schema, ['--help'], table, {}, { write: (text: string) => (help += text) });
    expect(help).toMatch(
      /^ {2}--create-topics +create missing contract topics first \(local runs\) \[SOURCE_CREATE_TOPICS=true\]$/m,
    );
    expect(help).toMatch(/^ {2}--partitions N .*\[SOURCE_TOPIC_PARTITIONS\]$/m);
    expect(help).toMatch(/^ {2}--topic NAME .*\[SOURCE_TOPIC\]$/m);
    expect(help).toMatch(/^ {2}--topic-prefix P .*\(default none\) \[SOURCE_TOPIC_PREFIX\]$/m);
  });
});

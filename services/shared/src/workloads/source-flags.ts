import type { FlagTable } from './flags.js';

/**
 * The flags every source (simulator, Spotify poller, history import) takes for the topics it writes; each sets
 * one variable of `sourceKafkaShape`, which holds the defaults and limits. The names and variables are a
 * public interface (docs, the operator's workloads): a source spreads these into its own flags.
 */
export const SOURCE_TOPIC_FLAGS = {
  'create-topics': {
    type: 'boolean',
    env: 'SOURCE_CREATE_TOPICS',
    value: 'true',
    help: 'create missing contract topics first (local runs)',
  },
  partitions: {
    type: 'string',
    env: 'SOURCE_TOPIC_PARTITIONS',
    arg: 'N',
    help: 'partitions of the events topic for --create-topics (default 6)',
  },
  topic: {
    type: 'string',
    env: 'SOURCE_TOPIC',
    arg: 'NAME',
    help: 'events topic (default: prefix + listening-events); its DLQ is NAME.dlq',
  },
  'topic-prefix': {
    type: 'string',
    env: 'SOURCE_TOPIC_PREFIX',
    arg: 'P',
    help: 'prefix for every contract topic name (default none)',
  },
} satisfies FlagTable['flags'];

import { delimiter } from 'node:path';
import { type FlagTable, SOURCE_TOPIC_FLAGS } from '@spotify-pipeline/shared/workloads';

/** Each flag sets one variable of `historyImportEnvSchema`; the schema alone holds defaults and limits. */
export const HISTORY_IMPORT_FLAGS: FlagTable = {
  command: {
    name: 'spotify-history-import',
    usage: '[options] PATH...\n       spotify-history-import --prefix imports/alice/ [options]',
    summary: 'Publishes Spotify extended streaming-history exports as listening events.',
    details: `PATH is a Streaming_History_Audio_*.json file or a folder holding them (the "Spotify Extended Streaming
History" download) [HISTORY_IMPORT_PATHS, separated by "${delimiter}"]. Each music row becomes a play event and
a skip/complete event with stable ids, so importing the same file twice gives the same event ids. Podcast,
empty and private-session rows are skipped and counted; rows that are not valid export rows go to the
dead-letter topic with the reason.

Kafka connection: KAFKA_BROKERS and the other KAFKA_* variables. Logs go to stderr (readable on a terminal,
JSON otherwise); the final report is JSON on stdout. Exit codes: 0 imported; 2 a setting is wrong; 3 an input
problem retrying cannot fix (no export files, a file that is not an export: the other files are imported); 1
anything else (e.g. Kafka or the lake unreachable: run it again, the event ids are stable).`,
  },
  flags: {
    prefix: {
      type: 'string',
      env: 'HISTORY_IMPORT_PREFIX',
      arg: 'PREFIX',
      help: 'import the export files under this prefix of the lake bucket (LAKE_* settings) instead of PATHs',
    },
    user: {
      type: 'string',
      env: 'HISTORY_IMPORT_USER',
      arg: 'ID',
      help: `user_id for the events (default: each row's "username")`,
    },
    'include-incognito': {
      type: 'boolean',
      env: 'HISTORY_IMPORT_INCLUDE_INCOGNITO',
      value: 'true',
      help: 'also import private-session plays (Spotify leaves them out of Wrapped)',
    },
    out: {
      type: 'string',
      env: 'HISTORY_IMPORT_OUT',
      arg: 'PATH',
      help: 'write JSON Lines to PATH (rejected rows to PATH.dlq.jsonl) instead of Kafka',
    },
    ...SOURCE_TOPIC_FLAGS,
  },
  positionals: { env: 'HISTORY_IMPORT_PATHS', separator: delimiter },
};

import { basename, delimiter } from 'node:path';
import { z } from 'zod';
import { env } from '../config.js';
import { optionalLakeShape, requireLake } from './lake-access.js';
import { requireBrokers, sourceKafkaShape } from './source-env.js';

/** The files of a Spotify extended streaming-history export that hold music plays. */
export const isExportFile = (name: string) => /^Streaming_History_Audio_.*\.json$/.test(basename(name));

/**
 * Everything the streaming-history import reads from its environment (its flags and arguments set the same
 * variables). On Kubernetes it is a Job over the export files users upload under HISTORY_IMPORT_PREFIX in the
 * lake bucket; locally it reads HISTORY_IMPORT_PATHS (files or folders, separated like PATH).
 */
export const historyImportEnvSchema = z
  .object({
    ...sourceKafkaShape,
    ...optionalLakeShape,
    HISTORY_IMPORT_PREFIX: z
      .string()
      .regex(
        /^[a-zA-Z0-9!_.*'()/ -]{1,512}$/,
        "must be an object-key prefix such as imports/alice/ (letters, digits, / and !_.*'()- )",
      )
      .optional(),
    HISTORY_IMPORT_PATHS: z
      .string()
      .min(1)
      .transform((v) => v.split(delimiter).filter(Boolean))
      .optional(),
    /** user_id for every event; default: each row's `username`. */
    HISTORY_IMPORT_USER: z.string().min(1).max(256).optional(),
    HISTORY_IMPORT_INCLUDE_INCOGNITO: env.bool(false),
    /** Write JSON Lines here (rejected rows to <path>.dlq.jsonl) instead of Kafka. */
    HISTORY_IMPORT_OUT: z.string().min(1).optional(),
    /** An export file is parsed whole: a larger object is reported and skipped rather than exhausting memory. */
    HISTORY_IMPORT_MAX_OBJECT_BYTES: env.int(64 * 1024 * 1024).pipe(
      z
        .number()
        .int()
        .min(1)
        .max(1024 * 1024 * 1024, 'must be at most 1073741824'),
    ),
    HISTORY_IMPORT_PROGRESS_SECONDS: z.coerce.number().positive().default(5),
  })
  .superRefine((config, ctx) => {
    if (!config.HISTORY_IMPORT_PREFIX === !config.HISTORY_IMPORT_PATHS?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['HISTORY_IMPORT_PREFIX'],
        message:
          'set exactly one of HISTORY_IMPORT_PREFIX (lake objects) and HISTORY_IMPORT_PATHS (local files)',
      });
    if (config.HISTORY_IMPORT_PREFIX) requireLake(config, ctx, 'to read HISTORY_IMPORT_PREFIX from the lake');
    if (!config.HISTORY_IMPORT_OUT) requireBrokers(config, ctx, 'HISTORY_IMPORT_OUT is set');
  });
export type HistoryImportEnv = z.infer<typeof historyImportEnvSchema>;

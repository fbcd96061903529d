// Reads a SpotifyPipeline from a file the way the API server would take it: the CRD's schema with unknown
// fields refused (strict field validation), then its defaults. CEL rules need the API server.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, formatIssues } from '@spotify-pipeline/shared';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { applyDefaults } from '../crd/defaults.js';
import type { JsonSchema } from '../crd/schema-builder.js';
import { API_VERSION, KIND, type PipelineSpec, specNode } from '../crd/spotify-pipeline.js';

/** A SpotifyPipeline is a few KB; anything this big is the wrong file. */
const MAX_FILE_BYTES = 1024 * 1024;

/** The CRD's spec schema as JSON Schema with unknown fields refused (the Kubernetes extensions dropped). */
function strict(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties')
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, strict(v)]),
      );
    else if (key === 'items') out[key] = strict(value as JsonSchema);
    else out[key] = value;
  }
  if (schema.type === 'object' && schema.properties && !schema['x-kubernetes-preserve-unknown-fields'])
    out.additionalProperties = false;
  return out;
}

let specSchema: z.ZodType | undefined;

/**
 * The pipeline in `path` (relative to where npm was started, INIT_CWD, not the workspace folder npm runs
 * in). Every problem is one ConfigError naming the file and what to change.
 */
export function readPipelineFile(
  path: string,
  cwd = process.env.INIT_CWD ?? process.cwd(),
): { name: string; spec: PipelineSpec } {
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory())
      throw new ConfigError(`${path} is a folder: give the SpotifyPipeline's YAML file`);
    size = stat.size;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${path}: no such file (looked for ${file})`
        : `${path}: cannot read it (${code ?? String(err)})`,
    );
  }
  if (size > MAX_FILE_BYTES)
    throw new ConfigError(
      `${path} is ${(size / 1e6).toFixed(1)} MB: a SpotifyPipeline is a few KB, is it the right file?`,
    );
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) throw new ConfigError(`${path}: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  let objects: unknown[];
  try {
    objects = list.map((doc) => doc.toJS({ maxAliasCount: 50 })).filter((o) => o !== null && o !== undefined);
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const pipelines = objects.filter(
    (o): o is { apiVersion?: unknown; metadata?: { name?: unknown }; spec?: unknown } =>
      typeof o === 'object' && o !== null && (o as { kind?: unknown }).kind === KIND,
  );
  if (pipelines.length === 0) {
    const kinds = objects.map((o) => String((o as { kind?: unknown } | null)?.kind ?? typeof o));
    throw new ConfigError(
      `${path} holds no ${KIND}${kinds.length ? ` (found: ${kinds.join(', ')})` : ' (it is empty)'}`,
    );
  }
  if (pipelines.length > 1)
    throw new ConfigError(
      `${path} holds ${pipelines.length} ${KIND}s: put the one to plan in a file of its own`,
    );
  const [pipeline] = pipelines as [(typeof pipelines)[number]];
  if (pipeline.apiVersion !== API_VERSION)
    throw new ConfigError(
      `${path}: apiVersion must be ${API_VERSION}, got ${JSON.stringify(pipeline.apiVersion)}`,
    );
  specSchema ??= z.fromJSONSchema(strict(specNode.schema) as never);
  const result = specSchema.safeParse(pipeline.spec);
  if (!result.success) {
    const issues = formatIssues(result.error, 5, 2000).replace(/(^|; )(?!\(record\))/g, '$1spec.');
    throw new ConfigError(`${path}: ${issues.replaceAll('(record)', 'spec')}`);
  }
  const name = typeof pipeline.metadata?.name === 'string' ? pipeline.metadata.name : '(unnamed)';
  return { name, spec: applyDefaults<PipelineSpec>(specNode.schema, result.data) };
}

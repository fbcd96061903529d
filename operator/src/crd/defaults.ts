import type { JsonSchema } from './schema-builder.js';

/**
 * Applies the schema's defaults the way the API server does (top-down: a defaulted object gets its own
 * properties' defaults too). Used where no API server is involved: the CLI and unit tests.
 */
export function applyDefaults<T>(schema: JsonSchema, value: unknown): T {
  return walk(schema, value) as T;
}

function walk(schema: JsonSchema, value: unknown): unknown {
  const v = value === undefined ? structuredClone(schema.default) : value;
  if (v === undefined || v === null) return v;
  if (schema.type === 'object' && schema.properties && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const [key, child] of Object.entries(schema.properties)) {
      const next = walk(child, out[key]);
      if (next !== undefined) out[key] = next;
    }
    return out;
  }
  if (schema.type === 'array' && schema.items && Array.isArray(v)) {
    const items = schema.items;
    return v.map((item) => walk(items, item));
  }
  return v;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEVICE_TYPES, EVENT_TYPES } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { contractArtifacts } from './contract-artifacts.js';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

type Column = {
  name: string;
  data_tests?: Array<string | Record<string, { arguments?: { values?: string[] } }>>;
};
function acceptedValues(ymlPath: string, model: string, column: string): string[] | undefined {
  const doc = parse(read(ymlPath)) as { models: Array<{ name: string; columns: Column[] }> };
  const tests = doc.models.find((m) => m.name === model)?.columns.find((c) => c.name === column)?.data_tests;
  for (const test of tests ?? [])
    if (typeof test === 'object' && test.accepted_values) return test.accepted_values.arguments?.values;
  return undefined;
}

describe('artifacts generated from the zod contract', () => {
  it.each(contractArtifacts().map((a) => [a.path, a]))(
    '%s is what the contract generates (run npm run contract:generate)',
    (_path, artifact) => {
      expect(read(artifact.path)).toBe(artifact.content);
    },
  );

  it("silver's accepted values are the contract's enums", () => {
    const yml = 'dbt/models/staging/stg_lake__listening_events.yml';
    expect(acceptedValues(yml, 'stg_lake__listening_events', 'event_type')).toEqual([...EVENT_TYPES]);
    expect(acceptedValues(yml, 'stg_lake__listening_events', 'device_type')).toEqual([...DEVICE_TYPES]);
  });

  it('every rejection reason the staging checks can give is an accepted value of their test, and no other', () => {
    const sql = read('dbt/models/staging/base/base_lake__listening_events.sql');
    const reasons = [...new Set([...sql.matchAll(/then '([a-z_]+)'/g)].map((m) => m[1]))];
    const yml = 'dbt/models/staging/stg_lake__listening_event_outcomes.yml';
    expect(acceptedValues(yml, 'stg_lake__listening_event_outcomes', 'rejection_reason')).toEqual(reasons);
  });
});

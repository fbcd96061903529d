import { describe, expect, it } from 'vitest';
import { testPipeline } from '../../test/support/builder-context.js';
import { withSpecFields } from './env-fields.js';

describe('withSpecFields', () => {
  it('names the spec field of each env variable a workload refuses', () => {
    const p = testPipeline();
    expect(withSpecFields(p, 'the lake writer: LAKE_ENDPOINT: must be a URL')).toBe(
      'the lake writer: LAKE_ENDPOINT (spec.lake.endpoint): must be a URL',
    );
    expect(
      withSpecFields(p, 'spec.sources[2] (simulator): SIMULATOR_RATE: too high; the loader: WAREHOUSE: bad'),
    ).toBe(
      'spec.sources[2] (simulator): SIMULATOR_RATE (spec.sources[2].eventsPerSecond): too high; the loader: WAREHOUSE (spec.warehouse.type): bad',
    );
    expect(withSpecFields(p, 'the loader: SOMETHING_ELSE: x')).toBe('the loader: SOMETHING_ELSE: x');
  });
});

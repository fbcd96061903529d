import { expect, it } from 'vitest';
import type { Meta } from '../src/contract.js';
import { sql } from '../src/sql/sql.js';
import type { ApiContext } from './api-checks.js';
import { type Answer, get, ok } from './api-client.js';

/** SQL that would change or reveal something if it ever reached the warehouse as text. */
const HOSTILE = [
  "u1' or '1'='1",
  "'; drop table gold.dim_listeners; --",
  'u1" or 1=1 --',
  "u1'); select * from read_csv('/etc/passwd'); --",
  '1; delete from gold.fct_listening_events',
  "$1' union select user_id, null, null, null, null, null from gold.dim_listeners --",
  '%',
  '_',
  '\\',
  '../../../etc/passwd',
  '🎵 ünïcødé',
];

/** Every validated query parameter of every endpoint (ids and `q` are free text: the next check has them). */
const VALIDATED: Array<[path: string, params: string[]]> = [
  ['/api/v1/overview', ['from', 'to', 'country', 'device']],
  ['/api/v1/mix', ['from', 'to', 'country', 'device']],
  ['/api/v1/heatmap', ['from', 'to', 'country', 'device']],
  ['/api/v1/charts/tracks', ['from', 'to', 'country', 'device', 'limit']],
  ['/api/v1/tracks/t1', ['from', 'to']],
  ['/api/v1/artists/a1', ['from', 'to']],
  ['/api/v1/listeners/u1/wrapped', ['year', 'from', 'to']],
  ['/api/v1/listeners', ['limit']],
];

/** A client error: 4xx, a JSON message, and nothing of the service's insides. */
function expectClientError(answer: Answer, status: number | number[], what: string) {
  expect([status].flat(), `${what}: ${answer.status} ${answer.text.slice(0, 300)}`).toContain(answer.status);
  expect(answer.body, what).toMatchObject({ statusCode: answer.status, message: expect.any(String) });
  expect(answer.text, what).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|stack/);
}

/**
 * Hostile and careless values in every parameter: each is refused with a 4xx and a message, or is plainly
 * harmless (a search that finds nothing, an id that does not exist); gold is the same afterwards.
 */
export function injectionChecks(ctx: ApiContext) {
  let before: Meta;

  it('refuses hostile values in every validated parameter of every endpoint with a message naming it', async () => {
    before = await ok<Meta>(ctx.url, '/api/v1/meta');
    for (const value of HOSTILE) {
      const v = encodeURIComponent(value);
      for (const [endpoint, params] of VALIDATED)
        for (const param of params) {
          const path = `${endpoint}?${endpoint.endsWith('/listeners') ? 'q=u1&' : ''}${param}=${v}`;
          const answer = await get(ctx.url, path);
          expectClientError(answer, 400, path);
          expect((answer.body as { message: string }).message, path).toContain(`${param}:`);
        }
      expectClientError(await get(ctx.url, `/api/v1/charts/${v}`), [400, 404], `chart kind ${value}`);
    }
  });

  it('treats hostile ids and searches as plain text: not found, or nothing found', async () => {
    for (const value of HOSTILE) {
      const v = encodeURIComponent(value);
      for (const path of [`/api/v1/listeners/${v}/wrapped`, `/api/v1/tracks/${v}`, `/api/v1/artists/${v}`]) {
        const answer = await get(ctx.url, path);
        expectClientError(answer, 404, path);
        expect((answer.body as { message: string }).message).toContain(JSON.stringify(value));
      }
      const search = await get(ctx.url, `/api/v1/listeners?q=${v}`);
      expect(search.status, value).toBe(200);
      // Only listener ids that really contain the text, as plain characters (no id has % or _).
      for (const l of (search.body as { listeners: Array<{ listenerId: string }> }).listeners)
        expect(l.listenerId.toLowerCase()).toContain(value.toLowerCase());
      if (['%', '_', "u1' or '1'='1"].includes(value)) expect(search.body).toEqual({ listeners: [] });
    }
  });

  it('refuses careless shapes: control characters, oversized, repeated, unknown and conflicting parameters', async () => {
    const cases: Array<[string, number, string]> = [
      ['/api/v1/listeners/u1%00/wrapped', 400, 'listenerId: must not contain control characters'],
      [`/api/v1/listeners/${'u'.repeat(257)}/wrapped`, 400, 'listenerId: must be at most 256 characters'],
      ['/api/v1/listeners?q=%0A', 400, 'q'],
      ['/api/v1/listeners?q=', 400, 'q: must not be empty'],
      [`/api/v1/listeners?q=${'x'.repeat(300)}`, 400, 'q: must be at most 256 characters'],
      ['/api/v1/overview?country=GB&country=US', 400, 'country'],
      ['/api/v1/overview?from=2026-02-30', 400, 'from: is not a real date'],
      ['/api/v1/overview?from=2026-02-02&to=2026-02-01', 400, 'from: must not be after to'],
      ['/api/v1/overview?from=2000-01-01&to=2026-01-01', 400, 'at most 3660 days'],
      ['/api/v1/overview?country=uk', 400, 'country: must be an ISO-3166-1 alpha-2 code'],
      ['/api/v1/overview?sort=plays', 400, 'Unrecognized key'],
      ['/api/v1/charts/tracks?limit=0', 400, 'limit'],
      ['/api/v1/charts/tracks?limit=1000', 400, 'limit'],
      ['/api/v1/listeners/u1/wrapped?year=2026&from=2026-01-01', 400, 'give either year or from/to'],
      ['/api/v1/listeners/u1/wrapped?year=1900', 400, 'year'],
      ['/api/v1/nothing-here', 404, 'no endpoint GET /api/v1/nothing-here'],
    ];
    for (const [path, status, message] of cases) {
      const answer = await get(ctx.url, path);
      expectClientError(answer, status, path);
      expect((answer.body as { message: string }).message, path).toContain(message);
    }
    const huge = await get(ctx.url, `/api/v1/overview?from=${'9'.repeat(20_000)}`);
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
  });

  it('the connection itself cannot write: statements other than reads are refused by the warehouse', async () => {
    await expect(ctx.reader.query(sql`create table gold.injected as select 1 as x`)).rejects.toThrow(
      /read-only|permission denied|Cannot execute/i,
    );
    await expect(ctx.reader.query(sql`delete from gold.dim_listeners`)).rejects.toThrow(
      /read-only|permission denied|Cannot execute/i,
    );
  });

  it('leaves gold exactly as it was', async () => {
    expect(await ok<Meta>(ctx.url, '/api/v1/meta')).toEqual(before);
    expect(await ok<Meta>(ctx.url, '/api/v1/meta')).toEqual(ctx.truth.meta());
    const [count] = await ctx.reader.query(
      sql`select cast(count(*) as double precision) as n from gold.fct_listening_events`,
    );
    expect(count?.n).toBe(ctx.truth.events.length);
  });
}

import { describe, expect, it } from 'vitest';
import { join, render, sql, unquotedName } from './sql.js';

describe('the sql tag', () => {
  it('turns every value into a parameter, never into text', () => {
    const hostile = "u1'; drop table gold.dim_listeners; --";
    const query = sql`select * from gold.dim_listeners where user_id = ${hostile} limit ${5}`;
    expect(render(query, 'numbered')).toEqual({
      text: 'select * from gold.dim_listeners where user_id = $1 limit $2',
      params: [hostile, 5],
    });
    expect(render(query, 'question').text).toBe('select * from gold.dim_listeners where user_id = ? limit ?');
  });

  it('nests fragments and numbers their parameters in order', () => {
    const filters = join([sql`country_code = ${'GB'}`, sql`device_type = ${'tv'}`], sql` and `);
    const query = sql`select 1 from t where event_date >= ${'2026-01-01'} and ${filters}`;
    expect(render(query, 'numbered')).toEqual({
      text: 'select 1 from t where event_date >= $1 and country_code = $2 and device_type = $3',
      params: ['2026-01-01', 'GB', 'tv'],
    });
  });

  it('joins nothing into nothing', () => {
    expect(render(join([], sql` and `), 'numbered')).toEqual({ text: '', params: [] });
  });

  it('writes a configured schema name as text only when it is a plain name', () => {
    expect(render(sql`select 1 from ${unquotedName('raw_Lake_2')}._load_manifest`, 'numbered')).toEqual({
      text: 'select 1 from raw_Lake_2._load_manifest',
      params: [],
    });
    for (const hostile of ['', 'bronze; drop table gold.x', '"bronze"', 'a.b', '1bronze', 'x'.repeat(64)])
      expect(() => unquotedName(hostile), hostile).toThrow(/is not a plain SQL name/);
  });
});

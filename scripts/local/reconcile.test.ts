import { describe, expect, it } from 'vitest';
import { addTruths, type EventTruth, reconcile, reconciliationLines } from './reconcile.js';

const truth = (play: number, skip: number): EventTruth =>
  ({ events: play + skip, events_by_type: { play, skip } }) as unknown as EventTruth;

describe('reconciliation of gold against the ground truth', () => {
  it('matches only when every type has exactly as many events in gold as were published', () => {
    expect(
      reconcile(
        new Map([
          ['play', 3],
          ['skip', 2],
        ]),
        truth(3, 2),
      ).matches,
    ).toBe(true);
    expect(
      reconcile(
        new Map([
          ['play', 3],
          ['skip', 3],
        ]),
        truth(3, 2),
      ).matches,
    ).toBe(false);
    expect(reconcile(new Map([['play', 3]]), truth(3, 2)).matches).toBe(false);
    // A type gold has that was never published is a mismatch too.
    const extra = reconcile(
      new Map([
        ['play', 3],
        ['skip', 2],
        ['pause', 1],
      ]),
      truth(3, 2),
    );
    expect(extra.matches).toBe(false);
    expect(extra.rows).toContainEqual({ eventType: 'pause', published: 0, inGold: 1 });
  });

  it('adds up the ground truths of several runs', () => {
    expect(addTruths([truth(3, 2), truth(10, 1)])).toEqual({
      events: 16,
      events_by_type: { play: 13, skip: 3 },
    });
    expect(addTruths([])).toEqual({ events: 0, events_by_type: {} });
  });

  it('prints the table and the verdict npm start prints', () => {
    const ok = reconciliationLines(
      reconcile(
        new Map([
          ['play', 1234],
          ['skip', 2],
        ]),
        truth(1234, 2),
      ),
      truth(1234, 2),
    );
    expect(ok).toEqual([
      '    play             published      1234   in gold      1234   ok',
      '    skip             published         2   in gold         2   ok',
      'reconciled: all 1,236 published events are in gold exactly once',
    ]);
    const bad = reconciliationLines(reconcile(new Map([['play', 1]]), truth(2, 0)), truth(2, 0));
    expect(bad[0]).toContain('MISMATCH');
    expect(bad.at(-1)).toBe('gold does not match what the simulator published (see the table above)');
  });
});

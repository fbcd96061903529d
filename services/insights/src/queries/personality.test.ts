import { describe, expect, it } from 'vitest';
import { personalityOf, timeOfDay } from './personality.js';

const clock = (peak: number) =>
  Array.from({ length: 24 }, (_, hour) => ({ hour, minutes: hour === peak ? 10 : 1 }));

describe('personalityOf', () => {
  it('names the four combinations of exploration and loyalty, with gold’s 0.5 thresholds', () => {
    const base = { msPlayed: 1000, clock: clock(8) };
    expect(personalityOf({ ...base, plays: 10, distinctTracks: 5, topArtistMsPlayed: 500 })).toMatchObject({
      name: 'The Deep Diver',
      explorationStyle: 'explorer',
      loyaltyStyle: 'loyal',
      explorationScore: 0.5,
      loyaltyScore: 0.5,
    });
    expect(personalityOf({ ...base, plays: 10, distinctTracks: 9, topArtistMsPlayed: 100 }).name).toBe(
      'The Adventurer',
    );
    expect(personalityOf({ ...base, plays: 10, distinctTracks: 2, topArtistMsPlayed: 900 }).name).toBe(
      'The Devotee',
    );
    expect(personalityOf({ ...base, plays: 10, distinctTracks: 4, topArtistMsPlayed: 499 }).name).toBe(
      'The Replayer',
    );
  });

  it('finds the peak hour and says when nothing was heard', () => {
    expect(
      personalityOf({ plays: 4, distinctTracks: 4, msPlayed: 10, topArtistMsPlayed: 10, clock: clock(23) }),
    ).toMatchObject({ peakHour: 23, timeOfDay: 'night owl' });
    expect(
      personalityOf({ plays: 0, distinctTracks: 0, msPlayed: 0, topArtistMsPlayed: 0, clock: [] }),
    ).toMatchObject({
      name: 'Just getting started',
      explorationScore: null,
      loyaltyScore: null,
      peakHour: null,
    });
  });

  it('places every hour of the day', () => {
    expect([4, 5, 9, 10, 17, 18, 22, 23].map(timeOfDay)).toEqual([
      'night owl',
      'early bird',
      'early bird',
      'daytime listener',
      'daytime listener',
      'evening listener',
      'evening listener',
      'night owl',
    ]);
  });
});

import type { Personality } from '../contract.js';

const NAMES: Record<string, { name: string; description: string }> = {
  'explorer:varied': { name: 'The Adventurer', description: 'always after new tracks from many artists' },
  'explorer:loyal': { name: 'The Deep Diver', description: 'digs through one artist’s whole catalogue' },
  'familiar:loyal': { name: 'The Devotee', description: 'the same favourites from one artist, on repeat' },
  'familiar:varied': {
    name: 'The Replayer',
    description: 'favourite tracks from many artists, again and again',
  },
};

export function timeOfDay(hour: number): NonNullable<Personality['timeOfDay']> {
  if (hour >= 5 && hour < 10) return 'early bird';
  if (hour >= 10 && hour < 18) return 'daytime listener';
  if (hour >= 18 && hour < 23) return 'evening listener';
  return 'night owl';
}

/**
 * The listening personality on a Wrapped page, from two scores gold's listener_wrapped also computes
 * (exploration = distinct tracks played / plays; loyalty = share of minutes on the top artist; both with the
 * 0.5 threshold listener_wrapped uses) and the hour of the day with the most minutes.
 */
export function personalityOf(input: {
  plays: number;
  distinctTracks: number;
  msPlayed: number;
  topArtistMsPlayed: number;
  clock: ReadonlyArray<{ hour: number; minutes: number }>;
}): Personality {
  const explorationScore = input.plays === 0 ? null : input.distinctTracks / input.plays;
  const loyaltyScore = input.msPlayed === 0 ? null : input.topArtistMsPlayed / input.msPlayed;
  const explorationStyle =
    explorationScore === null ? null : explorationScore >= 0.5 ? 'explorer' : 'familiar';
  const loyaltyStyle = loyaltyScore === null ? null : loyaltyScore >= 0.5 ? 'loyal' : 'varied';
  const peak = input.clock.reduce<{ hour: number; minutes: number } | null>(
    (best, h) => (h.minutes > 0 && (!best || h.minutes > best.minutes) ? h : best),
    null,
  );
  const named = explorationStyle && loyaltyStyle ? NAMES[`${explorationStyle}:${loyaltyStyle}`] : undefined;
  return {
    name: named?.name ?? 'Just getting started',
    description: named?.description ?? 'There is not enough listening yet to tell.',
    explorationScore,
    explorationStyle,
    loyaltyScore,
    loyaltyStyle,
    peakHour: peak?.hour ?? null,
    timeOfDay: peak ? timeOfDay(peak.hour) : null,
  };
}

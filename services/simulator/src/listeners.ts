import { DEVICE_TYPES } from '@spotify-pipeline/shared';
import { GENRES } from './genres.js';
import { COUNTRIES } from './geo.js';
import { hash32, unit } from './prng.js';
import { WeightedSampler } from './sampler.js';

/** Everything the simulator knows about a listener, recomputed from (seed, index) whenever it is needed. */
export interface Listener {
  index: number;
  userId: string;
  country: string;
  offsetMinutes: number;
  /** Index into DEVICE_TYPES of the device this listener uses most. */
  primaryDevice: number;
  /** Relative activity: how often this listener starts sessions compared with the average listener. */
  activity: number;
  /** Genre indices, most loved first, with the share of listening each gets. */
  taste: readonly [number, number, number];
  /** How readily this listener skips (multiplies the base skip probability). */
  skipBias: number;
}

export const TASTE_SHARES = [0.6, 0.25, 0.15] as const;
/** Activity is exponential with mean 1, clipped: many light listeners, a few very heavy ones. */
export const MAX_ACTIVITY = 5;
const MIN_ACTIVITY = 0.05;

const PRIMARY_DEVICE_SHARES: Record<(typeof DEVICE_TYPES)[number], number> = {
  mobile: 0.6,
  desktop: 0.17,
  web: 0.05,
  tablet: 0.04,
  smart_speaker: 0.05,
  tv: 0.04,
  car: 0.03,
  console: 0.02,
};

/** Salts that keep each attribute's hash independent of the others. */
const SALT = { country: 1, zone: 2, activity: 3, device: 4, taste: 5, skip: 6 } as const;

/**
 * Derives listeners on demand. Nothing per listener is stored, so memory is the same for ten thousand or
 * ten million of them; the two attributes the session-start sampler needs on every draw (time zone and
 * activity) have their own cheap accessors.
 */
export class ListenerModel {
  private readonly countries = new WeightedSampler(COUNTRIES.map((c) => c.share));
  private readonly devices = new WeightedSampler(DEVICE_TYPES.map((d) => PRIMARY_DEVICE_SHARES[d]));
  private readonly genres = new WeightedSampler(GENRES.map(([, share]) => share));
  private readonly favoured = COUNTRIES.map((c) =>
    c.favours.map((g) => GENRES.findIndex(([name]) => name === g)),
  );

  constructor(
    private readonly seed: number,
    readonly count: number,
  ) {}

  countryIndex(index: number): number {
    return this.countries.pick(unit(hash32(this.seed, index, SALT.country)));
  }

  offsetMinutes(index: number, countryIndex = this.countryIndex(index)): number {
    const zones = COUNTRIES[countryIndex]!.zones;
    let u = unit(hash32(this.seed, index, SALT.zone));
    for (const [offset, share] of zones) {
      if (u < share) return offset;
      u -= share;
    }
    return zones[zones.length - 1]![0];
  }

  activity(index: number): number {
    const u = unit(hash32(this.seed, index, SALT.activity));
    return Math.min(MAX_ACTIVITY, Math.max(MIN_ACTIVITY, -Math.log(1 - u)));
  }

  describe(index: number): Listener {
    const countryIndex = this.countryIndex(index);
    const country = COUNTRIES[countryIndex]!;
    const t = hash32(this.seed, index, SALT.taste);
    const favoured = this.favoured[countryIndex]!;
    const first =
      unit(t) < 0.5 && favoured.length > 0
        ? favoured[hash32(t, 1) % favoured.length]!
        : this.genres.pick(unit(hash32(t, 2)));
    let second = this.genres.pick(unit(hash32(t, 3)));
    while (second === first) second = (second + 1) % GENRES.length;
    let third = this.genres.pick(unit(hash32(t, 4)));
    while (third === first || third === second) third = (third + 1) % GENRES.length;
    return {
      index,
      userId: `u${index}`,
      country: country.code,
      offsetMinutes: this.offsetMinutes(index, countryIndex),
      primaryDevice: this.devices.pick(unit(hash32(this.seed, index, SALT.device))),
      activity: this.activity(index),
      taste: [first, second, third],
      skipBias: 0.6 + 0.8 * unit(hash32(this.seed, index, SALT.skip)),
    };
  }

  /** Mean activity over the population, estimated from a fixed sample so that it is deterministic. */
  meanActivity(samples = 20_000): number {
    let total = 0;
    const n = Math.min(samples, this.count);
    for (let i = 0; i < n; i++) total += this.activity(Math.floor((i * this.count) / n));
    return total / n;
  }
}

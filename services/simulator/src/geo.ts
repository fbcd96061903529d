import type { Genre } from './genres.js';

export interface CountryProfile {
  /** ISO-3166-1 alpha-2. */
  code: string;
  /** Approximate share of Spotify's monthly listeners (public investor figures, rounded). */
  share: number;
  /** UTC offsets in minutes with the share of the country's listeners in each (DST is ignored). */
  zones: ReadonlyArray<readonly [offsetMinutes: number, share: number]>;
  /** Genres this country's listeners favour beyond the global mix. */
  favours: readonly Genre[];
}

export const COUNTRIES: readonly CountryProfile[] = [
  {
    code: 'US',
    share: 0.16,
    zones: [
      [-300, 0.47],
      [-360, 0.3],
      [-420, 0.07],
      [-480, 0.16],
    ],
    favours: ['hip-hop', 'country', 'pop'],
  },
  {
    code: 'BR',
    share: 0.07,
    zones: [
      [-180, 0.93],
      [-240, 0.07],
    ],
    favours: ['sertanejo', 'latin'],
  },
  { code: 'IN', share: 0.06, zones: [[330, 1]], favours: ['bollywood'] },
  {
    code: 'MX',
    share: 0.055,
    zones: [
      [-360, 0.85],
      [-420, 0.15],
    ],
    favours: ['latin', 'reggaeton'],
  },
  { code: 'GB', share: 0.05, zones: [[0, 1]], favours: ['indie', 'rock', 'pop'] },
  { code: 'DE', share: 0.05, zones: [[60, 1]], favours: ['electronic', 'hip-hop'] },
  {
    code: 'ID',
    share: 0.04,
    zones: [
      [420, 0.6],
      [480, 0.3],
      [540, 0.1],
    ],
    favours: ['pop', 'k-pop'],
  },
  { code: 'FR', share: 0.035, zones: [[60, 1]], favours: ['hip-hop', 'electronic'] },
  {
    code: 'ES',
    share: 0.03,
    zones: [
      [60, 0.95],
      [0, 0.05],
    ],
    favours: ['reggaeton', 'latin'],
  },
  { code: 'PH', share: 0.025, zones: [[480, 1]], favours: ['pop', 'r&b'] },
  {
    code: 'CA',
    share: 0.025,
    zones: [
      [-300, 0.6],
      [-360, 0.08],
      [-420, 0.15],
      [-480, 0.17],
    ],
    favours: ['hip-hop', 'pop'],
  },
  { code: 'IT', share: 0.025, zones: [[60, 1]], favours: ['hip-hop', 'pop'] },
  { code: 'TR', share: 0.02, zones: [[180, 1]], favours: ['pop', 'rock'] },
  { code: 'JP', share: 0.02, zones: [[540, 1]], favours: ['j-pop'] },
  { code: 'PL', share: 0.02, zones: [[60, 1]], favours: ['hip-hop', 'rock'] },
  {
    code: 'AU',
    share: 0.02,
    zones: [
      [600, 0.6],
      [570, 0.08],
      [480, 0.1],
      [630, 0.22],
    ],
    favours: ['indie', 'pop'],
  },
  { code: 'AR', share: 0.02, zones: [[-180, 1]], favours: ['latin', 'reggaeton'] },
  { code: 'CO', share: 0.018, zones: [[-300, 1]], favours: ['reggaeton', 'latin'] },
  { code: 'NL', share: 0.015, zones: [[60, 1]], favours: ['electronic'] },
  { code: 'CL', share: 0.012, zones: [[-240, 1]], favours: ['reggaeton', 'latin'] },
  { code: 'SE', share: 0.01, zones: [[60, 1]], favours: ['pop', 'electronic'] },
  { code: 'KR', share: 0.008, zones: [[540, 1]], favours: ['k-pop'] },
  { code: 'ZA', share: 0.01, zones: [[120, 1]], favours: ['afrobeats', 'hip-hop'] },
  { code: 'NG', share: 0.008, zones: [[60, 1]], favours: ['afrobeats'] },
  { code: 'VN', share: 0.01, zones: [[420, 1]], favours: ['pop', 'k-pop'] },
  { code: 'TH', share: 0.01, zones: [[420, 1]], favours: ['pop', 'k-pop'] },
  { code: 'SA', share: 0.008, zones: [[180, 1]], favours: ['pop', 'hip-hop'] },
  { code: 'PE', share: 0.008, zones: [[-300, 1]], favours: ['latin', 'reggaeton'] },
  { code: 'BE', share: 0.008, zones: [[60, 1]], favours: ['electronic', 'pop'] },
  { code: 'MY', share: 0.008, zones: [[480, 1]], favours: ['pop', 'k-pop'] },
  { code: 'EG', share: 0.007, zones: [[120, 1]], favours: ['pop'] },
  { code: 'PT', share: 0.006, zones: [[0, 1]], favours: ['pop', 'hip-hop'] },
  { code: 'AT', share: 0.006, zones: [[60, 1]], favours: ['electronic', 'pop'] },
  { code: 'CH', share: 0.006, zones: [[60, 1]], favours: ['electronic', 'pop'] },
  { code: 'NO', share: 0.006, zones: [[60, 1]], favours: ['pop', 'electronic'] },
  { code: 'RO', share: 0.006, zones: [[120, 1]], favours: ['pop', 'electronic'] },
  { code: 'DK', share: 0.005, zones: [[60, 1]], favours: ['pop', 'hip-hop'] },
  { code: 'FI', share: 0.005, zones: [[120, 1]], favours: ['metal', 'rock'] },
  { code: 'IE', share: 0.005, zones: [[0, 1]], favours: ['indie', 'folk'] },
  { code: 'NZ', share: 0.004, zones: [[720, 1]], favours: ['indie', 'pop'] },
];

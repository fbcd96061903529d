/** Genres with their share of the catalog's artists; the share also sets how many listeners favour each. */
export const GENRES = [
  ['pop', 0.2],
  ['hip-hop', 0.16],
  ['rock', 0.1],
  ['latin', 0.08],
  ['electronic', 0.07],
  ['r&b', 0.06],
  ['indie', 0.06],
  ['country', 0.04],
  ['k-pop', 0.035],
  ['reggaeton', 0.035],
  ['metal', 0.03],
  ['jazz', 0.025],
  ['classical', 0.02],
  ['afrobeats', 0.025],
  ['sertanejo', 0.02],
  ['bollywood', 0.025],
  ['j-pop', 0.015],
  ['folk', 0.015],
  ['punk', 0.01],
  ['soul', 0.01],
] as const satisfies ReadonlyArray<readonly [string, number]>;

export type Genre = (typeof GENRES)[number][0];
export const GENRE_NAMES: readonly Genre[] = GENRES.map(([name]) => name);

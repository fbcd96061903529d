import { GENRE_NAMES, type Genre } from './genres.js';

// The public tracks datasets tag tracks with about 115 genres ("alt-rock", "deep-house", "mpb"); listeners'
// tastes are the simulator's 20. The first rule whose word occurs in a dataset genre names its taste genre.
const RULES: ReadonlyArray<readonly [Genre, readonly string[]]> = [
  ['k-pop', ['k-pop', 'korean']],
  ['j-pop', ['j-pop', 'j-rock', 'j-idol', 'j-dance', 'anime', 'japanese']],
  ['metal', ['metal', 'grindcore', 'hardcore']],
  ['punk', ['punk', 'emo', 'ska']],
  ['hip-hop', ['hip-hop', 'hip hop', 'rap', 'trap', 'trip-hop']],
  ['r&b', ['r&b', 'r-n-b', 'rnb']],
  ['reggaeton', ['reggaeton', 'dancehall']],
  ['afrobeats', ['afrobeat', 'afro']],
  ['sertanejo', ['sertanejo', 'forro', 'pagode', 'mpb', 'brazil']],
  ['latin', ['latin', 'salsa', 'samba', 'tango', 'spanish', 'bachata', 'cumbia']],
  ['bollywood', ['bollywood', 'indian', 'desi']],
  [
    'electronic',
    [
      'electro',
      'edm',
      'house',
      'techno',
      'trance',
      'dubstep',
      'drum-and-bass',
      'idm',
      'breakbeat',
      'garage',
      'hardstyle',
      'club',
      'dance',
      'ambient',
      'synth',
      'disco',
    ],
  ],
  ['rock', ['rock', 'grunge', 'goth', 'industrial', 'guitar']],
  ['indie', ['indie', 'alternative', 'songwriter']],
  ['country', ['country', 'bluegrass', 'honky-tonk']],
  ['jazz', ['jazz', 'blues', 'swing', 'bossa']],
  ['classical', ['classical', 'opera', 'piano', 'orchestra', 'show-tunes']],
  ['folk', ['folk', 'acoustic', 'world']],
  ['soul', ['soul', 'funk', 'gospel', 'groove', 'motown']],
];

/** The taste genre (index into GENRE_NAMES) a dataset's genre is drawn as; pop when no rule knows it. */
export function tasteGenre(datasetGenre: string): number {
  const name = datasetGenre.trim().toLowerCase();
  const exact = GENRE_NAMES.indexOf(name as Genre);
  if (exact >= 0) return exact;
  for (const [genre, words] of RULES) {
    if (words.some((word) => name.includes(word))) return GENRE_NAMES.indexOf(genre);
  }
  return GENRE_NAMES.indexOf('pop');
}

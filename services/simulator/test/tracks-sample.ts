// A tracks CSV for the catalog import's tests, in the shape of the Hugging Face "spotify-tracks-dataset"
// (dataset.csv): an unnamed index column, artists joined by ";", audio features, one row per (track, genre);
// valid rows, a repeat, and the careless rows a real file has.
const HEADER =
  ',track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre';
const features = 'False,0.676,0.461,1,-6.746,0,0.143,0.0322,1.01e-06,0.358,0.715,87.917,4';
export const TRACKS_SAMPLE_CSV = [
  HEADER,
  `0,5SuOikwiRyPMVoIQDJUgSV,Gen Hoshino,Comedy,Comedy,73,230666,${features},acoustic`,
  `1,4qPNDBW1i3p13qLCt0Ki3A,Ben Woodward,Ghost (Acoustic),Ghost - Acoustic,55,149610,${features},acoustic`,
  `2,1iJBSr7s7jYXzM8EGcbK5b,Ingrid Michaelson;ZAYN,To Begin Again,To Begin Again,57,210826,${features},acoustic`,
  `3,6lfxq3CG4xtTiEg7opyCyx,Kina Grannis,"Crazy Rich Asians (Original Motion Picture Soundtrack)",Can't Help Falling In Love,71,201933,${features},acoustic`,
  `4,5vjLSffimiIP26QG5WcN2K,Chord Overstreet,Hold On,Hold On,82,198853,${features},acoustic`,
  `5,01MVOl9KtVTNfFiBU9I7dc,Tyrone Wells,Days I Will Remember,Days I Will Remember,58,214240,${features},acoustic`,
  `6,6Vc5wAMmXdKIAM7WUoEb7N,A Great Big World;Christina Aguilera,Is There Anybody Out There?,"Say Something",74,229400,${features},acoustic`,
  // The same track again under another genre: merged, its genre added to the artist.
  `7,5SuOikwiRyPMVoIQDJUgSV,Gen Hoshino,Comedy,Comedy,73,230666,${features},j-pop`,
  // Two more tracks of one album, so the album groups them.
  `8,0aHk6HbM0EIxHzW9AqUkoQ,Gen Hoshino,"Pop Virus",Idea,68,230000,${features},j-pop`,
  `9,1aHk6HbM0EIxHzW9AqUkoQ,Gen Hoshino,"Pop Virus",Koi,69,250000,${features},j-pop`,
  // Careless rows: each skipped with its line and reason.
  `10,,Nobody,Nothing,No Id,10,200000,${features},pop`,
  `11,2bHk6HbM0EIxHzW9AqUkoQ,Someone,Album,Bad Duration,10,3 min,${features},pop`,
  `12,3bHk6HbM0EIxHzW9AqUkoQ,Someone,Album,Too Popular,101,200000,${features},pop`,
  '13,4bHk6HbM0EIxHzW9AqUkoQ,too,few,fields',
  `14,5bHk6HbM0EIxHzW9AqUkoQ,,Album,No Artist,10,200000,${features},pop`,
  '',
].join('\n');

/** The tracks the sample holds once its repeats are merged and its bad rows skipped. */
export const SAMPLE_TRACK_IDS = [
  '5SuOikwiRyPMVoIQDJUgSV',
  '4qPNDBW1i3p13qLCt0Ki3A',
  '1iJBSr7s7jYXzM8EGcbK5b',
  '6lfxq3CG4xtTiEg7opyCyx',
  '5vjLSffimiIP26QG5WcN2K',
  '01MVOl9KtVTNfFiBU9I7dc',
  '6Vc5wAMmXdKIAM7WUoEb7N',
  '0aHk6HbM0EIxHzW9AqUkoQ',
  '1aHk6HbM0EIxHzW9AqUkoQ',
] as const;

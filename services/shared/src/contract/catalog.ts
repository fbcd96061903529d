import { z } from 'zod';

const id = z.string().min(1).max(256);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2024-05-17');

export const artistSchema = z
  .object({
    schema_version: z.literal(1),
    artist_id: id,
    name: z.string().min(1),
    genres: z.array(z.string()).max(16),
  })
  .strict();

export const albumSchema = z
  .object({
    schema_version: z.literal(1),
    album_id: id,
    artist_id: id,
    name: z.string().min(1),
    /** Null when the source does not know it (the public tracks datasets carry no release dates). */
    release_date: isoDate.nullable(),
  })
  .strict();

export const trackSchema = z
  .object({
    schema_version: z.literal(1),
    track_id: id,
    album_id: id.nullable(),
    artist_id: id,
    name: z.string().min(1),
    duration_ms: z.number().int().positive(),
    popularity: z.number().min(0).max(100),
  })
  .strict();

export type Artist = z.infer<typeof artistSchema>;
export type Album = z.infer<typeof albumSchema>;
export type Track = z.infer<typeof trackSchema>;

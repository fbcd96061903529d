import { z } from 'zod';
import { albumSchema, artistSchema, trackSchema } from './catalog.js';
import { listeningEventSchema } from './listening-event.js';

/** JSON Schema (draft 2020-12) of every contract record, for docs and for consumers in other languages. */
export function contractJsonSchemas(): Record<string, unknown> {
  const opts = { target: 'draft-2020-12', unrepresentable: 'any' } as const;
  return {
    'listening-event.v1': z.toJSONSchema(listeningEventSchema, opts),
    'artist.v1': z.toJSONSchema(artistSchema, opts),
    'album.v1': z.toJSONSchema(albumSchema, opts),
    'track.v1': z.toJSONSchema(trackSchema, opts),
  };
}

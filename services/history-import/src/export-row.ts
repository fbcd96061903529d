import type { DeviceType } from '@spotify-pipeline/shared';
import { z } from 'zod';

const nullableString = z.string().nullish();
const nullableBool = z.boolean().nullish();

/**
 * One row of Spotify's extended streaming history (`Streaming_History_Audio_*.json`). Only the fields the
 * import reads are checked; others (ip_addr, user_agent, episode and audiobook fields) pass through unread
 * except to tell music from podcasts. `ts` is when playback of the row stopped, in UTC.
 */
export const exportRowSchema = z.looseObject({
  ts: z
    .string()
    .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)), {
      message: 'must be a UTC timestamp such as 2024-03-01T18:22:05Z',
    }),
  username: nullableString,
  ms_played: z.number().int().nonnegative(),
  conn_country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code')
    .nullish(),
  platform: nullableString,
  master_metadata_track_name: nullableString,
  master_metadata_album_artist_name: nullableString,
  master_metadata_album_album_name: nullableString,
  spotify_track_uri: z
    .string()
    .regex(/^spotify:track:[0-9A-Za-z]{1,64}$/, 'must look like spotify:track:<id>')
    .nullish(),
  episode_name: nullableString,
  spotify_episode_uri: nullableString,
  audiobook_uri: nullableString,
  reason_start: nullableString,
  reason_end: nullableString,
  shuffle: nullableBool,
  skipped: nullableBool,
  offline: nullableBool,
  incognito_mode: nullableBool,
});

export type ExportRow = z.infer<typeof exportRowSchema>;

/** `platform` is free text ("Android OS 9 API 28 (samsung, SM-G960F)", "Partner sonos_..."): first match wins. */
const PLATFORM_DEVICES: ReadonlyArray<readonly [RegExp, DeviceType]> = [
  [/android[_ ]?auto|carplay|car_thing|\bcar\b|tesla|automotive/i, 'car'],
  [/playstation|\bps[345]\b|xbox|nintendo|console/i, 'console'],
  [/\btv\b|_tv|tvos|tizen|webos|roku|fire ?tv|cast_tv|chromecast/i, 'tv'],
  [/sonos|echo|alexa|amazon|google[_ ]home|nest|homepod|speaker|cast_audio|bose/i, 'smart_speaker'],
  [/ipad|tablet/i, 'tablet'],
  [/web[_ ]?player|browser|chrome|firefox|safari|edge/i, 'web'],
  [/windows|os ?x|macos|mac os|linux/i, 'desktop'],
  [/android|ios|iphone|mobile/i, 'mobile'],
];

/** The contract has no "unknown" device; an unrecognised platform counts as mobile, the most common one. */
export function deviceFromPlatform(platform: string | null | undefined): DeviceType {
  if (platform) for (const [pattern, device] of PLATFORM_DEVICES) if (pattern.test(platform)) return device;
  return 'mobile';
}

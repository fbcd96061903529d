/** Builds rows in the shape of Spotify's extended streaming-history export, for tests. */
export function exportRows(count: number, options: { startMs?: number; username?: string } = {}): unknown[] {
  const platforms = [
    'Android OS 9 API 28 (samsung, SM-G960F)',
    'iOS 16.1 (iPhone14,2)',
    'Windows 10 (10.0.19045; x64)',
    'web_player windows 10;chrome 118.0.0.0;desktop',
    'Partner sonos_amazon_echo',
    'Partner android_tv Sony;BRAVIA 4K',
  ];
  const rows: unknown[] = [];
  let ts = options.startMs ?? Date.UTC(2024, 2, 1, 7, 30);
  for (let i = 0; i < count; i++) {
    const track = i % 37;
    const msPlayed = i % 4 === 0 ? 4000 + i : 180_000 + (i % 9) * 1000;
    ts += msPlayed + (i % 25 === 0 ? 3 * 3_600_000 : 1500);
    const base = {
      ts: new Date(ts).toISOString().replace('.000Z', 'Z'),
      username: options.username ?? 'listener1',
      platform: platforms[i % platforms.length],
      ms_played: msPlayed,
      conn_country: i % 11 === 0 ? 'DE' : 'GB',
      ip_addr: '192.0.2.1',
      master_metadata_track_name: `Song ${track}`,
      master_metadata_album_artist_name: `Artist ${track % 7}`,
      master_metadata_album_album_name: `Album ${track % 13}`,
      spotify_track_uri: `spotify:track:${String(track).padStart(22, 'A')}`,
      episode_name: null,
      episode_show_name: null,
      spotify_episode_uri: null,
      reason_start: 'trackdone',
      reason_end: i % 4 === 0 ? 'fwdbtn' : 'trackdone',
      shuffle: i % 2 === 0,
      skipped: i % 4 === 0,
      offline: false,
      offline_timestamp: null,
      incognito_mode: false,
    };
    if (i % 50 === 7) {
      rows.push({
        ...base,
        master_metadata_track_name: null,
        master_metadata_album_artist_name: null,
        master_metadata_album_album_name: null,
        spotify_track_uri: null,
        episode_name: 'Episode 12',
        episode_show_name: 'A Podcast',
        spotify_episode_uri: 'spotify:episode:5Xt5DXGzch68nYYamXrNxZ',
      });
    } else if (i % 50 === 13) {
      rows.push({ ...base, master_metadata_track_name: null, spotify_track_uri: null });
    } else if (i % 50 === 29) {
      rows.push({ ...base, incognito_mode: true });
    } else {
      rows.push(base);
    }
  }
  return rows;
}

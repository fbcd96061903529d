import type { Logger } from '@spotify-pipeline/shared';
import type { PolledListener } from './listeners.js';
import { mapItems } from './map.js';
import { type AccessToken, SpotifyApiError, type SpotifyClient } from './spotify-client.js';
import type { StateStore } from './state.js';

/** Where events go: the publisher in production, anything with its shape in tests. */
export interface PollTarget {
  publish(event: unknown): boolean;
  drain(): Promise<void>;
  flush(): Promise<void>;
}

export interface PollReport {
  listeners: number;
  failedListeners: number;
  plays: number;
  events: number;
  skippedItems: number;
}

const TOKEN_MARGIN_MS = 60_000;
const MAX_PAGES_PER_POLL = 20;

/**
 * Polls recently-played for each listener with the `after` cursor, so a play is read once; the cursor moves
 * only after the broker acknowledged the events. One listener's failure (revoked token, outage) is logged
 * and counted, and the others are still polled.
 */
export function createPoller(deps: {
  client: SpotifyClient;
  listeners: PolledListener[];
  store: StateStore;
  target: PollTarget;
  logger: Logger;
  now?: () => number;
}) {
  const log = deps.logger.child({ component: 'spotify-poller' });
  const now = deps.now ?? Date.now;
  const tokens = new Map<string, AccessToken>();

  async function accessToken(listener: PolledListener, force = false): Promise<string> {
    const cached = tokens.get(listener.userId);
    if (!force && cached && cached.expiresAt - TOKEN_MARGIN_MS > now()) return cached.accessToken;
    const state = await deps.store.get(listener.userId);
    const token = await deps.client.refresh(state.refreshToken ?? listener.refreshToken());
    if (token.rotatedRefreshToken) {
      await deps.store.put(listener.userId, {
        ...(await deps.store.get(listener.userId)),
        refreshToken: token.rotatedRefreshToken,
      });
      log.info(
        { userId: listener.userId },
        'Spotify rotated the refresh token; kept (encrypted) in the state',
      );
    }
    tokens.set(listener.userId, token);
    return token.accessToken;
  }

  async function pollListener(listener: PolledListener, report: PollReport): Promise<void> {
    let token = await accessToken(listener);
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      const state = await deps.store.get(listener.userId);
      let result: Awaited<ReturnType<SpotifyClient['recentlyPlayed']>>;
      try {
        result = await deps.client.recentlyPlayed(token, state.after);
      } catch (err) {
        if (!(err instanceof SpotifyApiError) || err.status !== 401) throw err;
        token = await accessToken(listener, true);
        result = await deps.client.recentlyPlayed(token, state.after);
      }
      const fresh = result.items.filter((item) => Date.parse(item.played_at) > state.after);
      if (fresh.length === 0) return;
      const mapped = mapItems(fresh, listener, state);
      for (const event of mapped.events) if (!deps.target.publish(event)) await deps.target.drain();
      await deps.target.flush();
      const newest = Math.max(...fresh.map((item) => Date.parse(item.played_at)));
      const cursor = Math.max(state.after, Number(result.cursors?.after ?? 0), newest);
      await deps.store.put(listener.userId, { ...state, ...mapped.session, after: cursor });
      report.plays += mapped.events.length / 2;
      report.events += mapped.events.length;
      report.skippedItems += mapped.skipped;
      if (!result.next) return;
    }
  }

  return {
    async pollOnce(): Promise<PollReport> {
      const report: PollReport = { listeners: 0, failedListeners: 0, plays: 0, events: 0, skippedItems: 0 };
      for (const listener of deps.listeners) {
        report.listeners += 1;
        try {
          await pollListener(listener, report);
        } catch (err) {
          report.failedListeners += 1;
          // The error's message names the call and status only; tokens never reach it.
          log.error({ userId: listener.userId, err: { message: (err as Error).message } }, 'poll failed');
        }
      }
      log.info(report, 'poll finished');
      return report;
    },
  };
}

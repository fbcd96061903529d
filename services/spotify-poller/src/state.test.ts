import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStateStore, INITIAL_STATE } from './state.js';
import { type BlobStore, dirBlobs } from './state-blobs.js';

function memoryBlobs(): BlobStore & { raw: Map<string, Buffer> } {
  const raw = new Map<string, Buffer>();
  return {
    raw,
    get: async (name) => raw.get(name) ?? null,
    put: async (name, bytes) => void raw.set(name, bytes),
  };
}

describe('listener state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'poller-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from the initial cursor and keeps what was put', async () => {
    const store = createStateStore({ blobs: memoryBlobs(), clientSecret: 's' });
    expect(await store.get('alice')).toEqual(INITIAL_STATE);
    await store.put('alice', { after: 42, lastEndMs: 40, sessionId: 'x' });
    expect(await store.get('alice')).toEqual({ after: 42, lastEndMs: 40, sessionId: 'x' });
  });

  it('stores a rotated refresh token encrypted and bound to its listener', async () => {
    const blobs = memoryBlobs();
    const store = createStateStore({ blobs, clientSecret: 'client-secret-1' });
    await store.put('alice', { ...INITIAL_STATE, refreshToken: 'rotated-token-value' });
    expect(blobs.raw.get('alice.json')!.toString()).not.toContain('rotated-token-value');
    expect((await store.get('alice')).refreshToken).toBe('rotated-token-value');

    // Copying alice's object to bob does not hand bob alice's token.
    const unreadable: string[] = [];
    const again = createStateStore({
      blobs,
      clientSecret: 'client-secret-1',
      onUnreadableToken: (u) => unreadable.push(u),
    });
    blobs.raw.set('bob.json', blobs.raw.get('alice.json')!);
    expect((await again.get('bob')).refreshToken).toBeUndefined();
    expect(unreadable).toEqual(['bob']);
  });

  it('falls back to the configured token when the client secret changed', async () => {
    const blobs = memoryBlobs();
    await createStateStore({ blobs, clientSecret: 'old' }).put('alice', {
      ...INITIAL_STATE,
      after: 7,
      refreshToken: 't',
    });
    const unreadable: string[] = [];
    const state = await createStateStore({
      blobs,
      clientSecret: 'new',
      onUnreadableToken: (u) => unreadable.push(u),
    }).get('alice');
    expect(state).toEqual({ ...INITIAL_STATE, after: 7 });
    expect(unreadable).toEqual(['alice']);
  });

  it('refuses a state object that is not a state (rather than restarting the cursor from zero)', async () => {
    const blobs = memoryBlobs();
    blobs.raw.set('alice.json', Buffer.from('{"after": -1}'));
    await expect(createStateStore({ blobs, clientSecret: 's' }).get('alice')).rejects.toThrow(/after/);
  });

  it('local files: replaced atomically, readable by the owner only, missing means none', async () => {
    const blobs = dirBlobs(join(dir, 'state'));
    expect(await blobs.get('alice.json')).toBeNull();
    await blobs.put('alice.json', Buffer.from('{"after":1}'));
    await blobs.put('alice.json', Buffer.from('{"after":2}'));
    expect(readFileSync(join(dir, 'state', 'alice.json'), 'utf8')).toBe('{"after":2}');
    expect(statSync(join(dir, 'state', 'alice.json')).mode & 0o777).toBe(0o600);
  });
});

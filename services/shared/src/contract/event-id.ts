import { createHash } from 'node:crypto';

/**
 * RFC 4122 version-5 (name-based, SHA-1) UUID. Sources that read records they may read again (an export
 * file imported twice, an API window polled twice) derive `event_id` from what identifies the play, so the
 * same play always gets the same id and deduplication downstream removes the repeat.
 * `namespace` is a UUID naming the source.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

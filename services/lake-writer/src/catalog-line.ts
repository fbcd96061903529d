import { type CatalogKind, decodeCatalogRecord } from '@spotify-pipeline/shared';
import {
  type IntakeContext,
  kindOf,
  type LakeLine,
  oversize,
  type RecordOrigin,
  withLakeMetadata,
} from './lake-line.js';

/** A record of a compacted topic with no value deletes its key: there is nothing to store. */
export interface Tombstone {
  ok: 'skip';
  reason: string;
}

/**
 * One catalog record (artist, album or track) as a lake row. Catalog records carry no event time, so they
 * are stored by the hour they were ingested; a replay in a later hour stores them again under that hour,
 * which the staging models absorb (the latest offset per id wins, as in the compacted topic). A tombstone
 * is skipped, not dead-lettered: it is how a compacted topic deletes, not a broken record; the warehouse
 * keeps the last version it loaded.
 */
export function toCatalogLine(
  kind: CatalogKind,
  value: Buffer | null,
  origin: RecordOrigin,
  intake: IntakeContext,
): LakeLine | Tombstone {
  if (value === null) return { ok: 'skip', reason: 'tombstone' };
  const tooLarge = oversize(value);
  if (tooLarge) return tooLarge;
  const raw = value.toString('utf8');
  const decoded = decodeCatalogRecord(kind, value, raw);
  if (!decoded.ok) return { ok: false, reason: decoded.reason, kind: kindOf(decoded.reason) };
  return {
    ok: true,
    ...withLakeMetadata(value, raw, origin, intake),
    date: intake.ingestedAt.slice(0, 10),
    hour: intake.ingestedAt.slice(11, 13),
  };
}

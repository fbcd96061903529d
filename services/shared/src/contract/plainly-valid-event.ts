import { COUNTRY_CODES } from './countries.js';
import {
  CONTEXT_TYPES,
  DEVICE_TYPES,
  EVENT_ID_PATTERN,
  EVENT_SOURCES,
  EVENT_TYPES,
  LISTENING_EVENT_FIELDS,
  type ListeningEvent,
  MAX_ID_CHARS,
  MAX_MS,
  MAX_NAME_CHARS,
} from './listening-event.js';
import { timestampProblem } from './timestamp.js';

const EVENT_ID = new RegExp(`^(${EVENT_ID_PATTERN})$`);
const FIELDS = new Set<string>(LISTENING_EVENT_FIELDS);
const OPTIONAL = new Set(['ms_played', 'shuffle', 'offline']);
const REQUIRED_FIELDS = LISTENING_EVENT_FIELDS.length - OPTIONAL.size;
const EVENT_TYPE_SET = new Set<unknown>(EVENT_TYPES);
const DEVICE_TYPE_SET = new Set<unknown>(DEVICE_TYPES);
const COUNTRY_SET = new Set<unknown>(COUNTRY_CODES);
const CONTEXT_TYPE_SET = new Set<unknown>(CONTEXT_TYPES);
const SOURCE_SET = new Set<unknown>(EVENT_SOURCES);
// Any surrogate sends the text to the schema, which tells a pair from a lone one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what the contract's text may not hold
const NUL_OR_SURROGATE = /[\u0000\uD800-\uDFFF]/;

const isText = (value: unknown, min: number, max: number) =>
  typeof value === 'string' && value.length >= min && value.length <= max && !NUL_OR_SURROGATE.test(value);
const isId = (value: unknown) => isText(value, 1, MAX_ID_CHARS);
const isName = (value: unknown) => isText(value, 0, MAX_NAME_CHARS);
const isMs = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_MS;
const isOptionalBoolean = (value: unknown) => value === undefined || typeof value === 'boolean';

/**
 * True only for an object `listeningEventSchema` accepts as it is: the common case, decided in a fraction
 * of the schema's time (the lake writer and the publisher check every record). It may say false for an
 * event the schema accepts (a name with an emoji goes to the schema); callers then ask the schema, which
 * also words the reason. A property test holds it to that: never true where the schema refuses.
 */
export function isPlainlyValidEvent(value: unknown): value is ListeningEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  let required = 0;
  for (const key in e) {
    if (!Object.hasOwn(e, key) || !FIELDS.has(key)) return false;
    if (!OPTIONAL.has(key)) required++;
  }
  if (required !== REQUIRED_FIELDS) return false;
  if (e.schema_version !== 1 || typeof e.event_id !== 'string' || !EVENT_ID.test(e.event_id)) return false;
  if (!EVENT_TYPE_SET.has(e.event_type)) return false;
  if (typeof e.event_ts !== 'string' || timestampProblem(e.event_ts) !== null) return false;
  if (!isId(e.user_id) || !isId(e.session_id) || !isId(e.track_id) || !isId(e.artist_id)) return false;
  if (!isName(e.track_name) || !isName(e.artist_name)) return false;
  if (!(e.album_id === null || isId(e.album_id))) return false;
  if (!(e.album_name === null || isName(e.album_name))) return false;
  if (!(e.context_id === null || isId(e.context_id))) return false;
  if (!isMs(e.duration_ms) || !isMs(e.position_ms) || e.position_ms > e.duration_ms) return false;
  if (e.ms_played === undefined) {
    if (e.event_type === 'skip' || e.event_type === 'complete') return false;
  } else if (!isMs(e.ms_played)) return false;
  if (!DEVICE_TYPE_SET.has(e.device_type) || !SOURCE_SET.has(e.source)) return false;
  if (!(e.country === null || COUNTRY_SET.has(e.country))) return false;
  if (!(e.context_type === null || CONTEXT_TYPE_SET.has(e.context_type))) return false;
  return isOptionalBoolean(e.shuffle) && isOptionalBoolean(e.offline);
}

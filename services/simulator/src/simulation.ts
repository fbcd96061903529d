import type { Catalog } from './catalog.js';
import { MinHeap } from './heap.js';
import { ListenerModel, MAX_ACTIVITY } from './listeners.js';
import { hash32, Rng, type RunKey } from './prng.js';
import { hourWeight, MAX_HOUR_WEIGHT, MEAN_WEEK_WEIGHT } from './rhythm.js';
import { runKey } from './run-key.js';
import { KIND_NAMES, Session } from './session.js';
import type { GroundTruthRecorder } from './summary.js';
import { IsoFormatter } from './timefmt.js';

export interface SimulationOptions {
  /** The world: catalog and audience are functions of the seed alone. */
  seed: number;
  /**
   * Names this run: session starts, sessions and event ids are streams of (seed, run id, startMs), so runs
   * with different ids (replicas, restarts) never share an event or session id.
   */
  runId: string;
  listeners: number;
  catalog: Catalog;
  /** Event time of the first emitted event (sessions already running at that instant are included). */
  startMs: number;
  /** Mean events per second of event time, over a whole week of the audience's rhythm. */
  eventsPerSecond: number;
  /** Event time simulated, but not emitted, before `startMs` so that the stream starts in steady state. */
  warmupMs?: number;
  recorder?: GroundTruthRecorder;
}

/** Receives each event: its Kafka key and its contract JSON. */
export type EventSink = (userId: string, json: string) => void;

// `","event_type":"…","event_ts":"` for each kind: the join between the event id and the timestamp.
const TYPE_JSON = KIND_NAMES.map((k) => `","event_type":"${k}","event_ts":"`);
const CALIBRATION_SESSIONS = 2000;
// Purposes of the run key's streams: one stream of session starts, one stream per session (by sequence).
const STARTS = 1;
const SESSIONS = 0;

/**
 * The whole audience as one discrete-event simulation. Session starts are a Poisson process thinned by each
 * candidate listener's activity and local-time rhythm, so the audience follows its time zones; active
 * sessions wait in a heap ordered by their next event, so events come out in event-time order and memory
 * holds only the sessions running at the moment, never the listener population.
 */
export class Simulation {
  readonly listeners: ListenerModel;
  /** Mean events one session produces, measured on a fixed sample of sessions at construction. */
  readonly eventsPerSession: number;
  private readonly heap = new MinHeap<Session>();
  private readonly starts: Rng;
  private readonly sessionKey: RunKey;
  private readonly candidateMeanGapMs: number;
  private readonly acceptScale: number;
  private readonly iso = new IsoFormatter();
  private nextCandidateAt: number;
  private sessionSeq = 0;
  private emitted = 0;

  constructor(private readonly options: SimulationOptions) {
    const { seed, listeners, startMs } = options;
    this.listeners = new ListenerModel(seed, listeners);
    this.eventsPerSession = this.calibrate();
    const sessionsPerMs = options.eventsPerSecond / this.eventsPerSession / 1000;
    // Thinning: candidates arrive at the rate the busiest listener at the busiest hour would start sessions;
    // each is kept with probability (its activity x its local hour weight) / that maximum.
    const maxWeight = MAX_ACTIVITY * MAX_HOUR_WEIGHT;
    const meanWeight = this.listeners.meanActivity() * MEAN_WEEK_WEIGHT;
    this.candidateMeanGapMs = 1 / ((sessionsPerMs * maxWeight) / meanWeight);
    this.acceptScale = 1 / maxWeight;
    const key = runKey(seed, options.runId, startMs);
    this.starts = Rng.keyed(key, listeners, STARTS);
    this.sessionKey = key;
    this.nextCandidateAt = startMs - (options.warmupMs ?? 3_600_000);
    this.warmUp(startMs);
  }

  /**
   * Sessions that started in the warm-up window are stepped, one at a time and without emitting, to their
   * first event at or after `startMs`, then scheduled: the stream starts in steady state at a cost of a
   * few hundred nanoseconds per skipped event and no heap traffic.
   */
  private warmUp(startMs: number): void {
    while (this.nextCandidateAt < startMs) {
      const session = this.startCandidate(Math.floor(this.nextCandidateAt));
      this.nextCandidateAt += this.starts.exp(this.candidateMeanGapMs);
      if (!session) continue;
      let running = true;
      while (running && session.at < startMs) running = session.advance();
      if (running) this.heap.push(session);
    }
  }

  get activeSessions(): number {
    return this.heap.size;
  }

  /** Event time of the next event the simulation will emit. */
  get clock(): number {
    const top = this.heap.peek();
    return Math.min(top ? top.at : Number.POSITIVE_INFINITY, this.nextCandidateAt);
  }

  get eventsEmitted(): number {
    return this.emitted;
  }

  /**
   * Emits events in event-time order until `maxEvents` were emitted or the next event is at or after
   * `untilMs`. Returns how many were emitted.
   */
  emitUntil(untilMs: number, maxEvents: number, sink: EventSink): number {
    const heap = this.heap;
    const recorder = this.options.recorder;
    const catalog = this.options.catalog;
    let n = 0;
    while (n < maxEvents) {
      const top = heap.peek();
      if (this.nextCandidateAt <= (top ? top.at : Number.POSITIVE_INFINITY)) {
        if (this.nextCandidateAt >= untilMs) break;
        // Candidate times are exact (fractional) so that high rates keep their mean; events use whole ms.
        const session = this.startCandidate(Math.floor(this.nextCandidateAt));
        if (session) heap.push(session);
        this.nextCandidateAt += this.starts.exp(this.candidateMeanGapMs);
        continue;
      }
      const session = top!;
      if (session.at >= untilMs) break;
      const msPlayed = session.msPlayed;
      sink(
        session.listener.userId,
        `{"schema_version":1,"event_id":"${session.eventId()}${TYPE_JSON[session.kind]}${this.iso.format(session.at)}",${session.userJson},${catalog.trackJson[session.track]},"position_ms":${session.position}${msPlayed >= 0 ? `,"ms_played":${msPlayed}` : ''},${session.tailJson}}`,
      );
      recorder?.record(session.kind, session.at, session.listener.index, session.track, msPlayed);
      n += 1;
      if (session.advance()) heap.replaceTop(session);
      else heap.pop();
    }
    this.emitted += n;
    return n;
  }

  /** Draws a candidate listener and keeps it with its activity x local-hour weight; returns its session. */
  private startCandidate(at: number): Session | undefined {
    const listeners = this.listeners;
    const index = this.starts.int(listeners.count);
    const weight = listeners.activity(index) * hourWeight(at, listeners.offsetMinutes(index));
    if (this.starts.float() >= weight * this.acceptScale) return undefined;
    const seq = this.sessionSeq++;
    const rng = Rng.keyed(this.sessionKey, seq, SESSIONS);
    return new Session(seq, at, listeners.describe(index), rng, this.options);
  }

  /** Runs a fixed sample of sessions to completion, outside the stream, to learn events per session. */
  private calibrate(): number {
    const rng = new Rng(hash32(this.options.seed, 0xca1), 0);
    let events = 0;
    for (let i = 0; i < CALIBRATION_SESSIONS; i++) {
      const listener = this.listeners.describe(rng.int(this.listeners.count));
      const at = this.options.startMs + rng.int(7 * 86_400_000);
      const session = new Session(
        -1,
        at,
        listener,
        new Rng(hash32(this.options.seed, 0xca2), i),
        this.options,
      );
      events += 1;
      while (session.advance()) events += 1;
    }
    return events / CALIBRATION_SESSIONS;
  }
}

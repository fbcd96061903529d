/**
 * Lake writer memory under a pod's limit: one writer, compiled as in its image, drains a backlog of
 * BENCH_EVENTS (default 400,000) events on 4 partitions inside a 256 MiB memory cgroup (BENCH_LIMIT_MIB), with
 * the heap cap and batch settings the operator gives such a pod. Side by side in one run: the memory budget
 * sized from the limit (the default), and the same writer with the budget lifted out of reach
 * (per-partition limits only, as before the budget); and for speed, no budget in an 8 GiB cgroup. Reports
 * whether the writer died of memory, its peak memory and events/s.
 * Needs root and a cgroup memory controller. Writes bench/results/lake-writer-memory.json.
 * Run: npm run bench -- lake-writer-memory
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchMachine, memoryCgroupProblem, repoRoot, startKafka, startS3 } from '@spotify-pipeline/harness';
import {
  drainUnderMemoryLimit,
  type MemoryLimitRun,
} from '@spotify-pipeline/lake-writer/testing/memory-limit';
import { freshTopic, produceEvents } from '@spotify-pipeline/lake-writer/testing/support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 400_000);
const LIMIT_MIB = Number(process.env.BENCH_LIMIT_MIB ?? 256);
const PARTITIONS = 4;
const MiB = 1024 * 1024;
const log = (msg: string) =>
  console.log(`[bench lake-writer-memory] ${new Date().toISOString().slice(11, 19)} ${msg}`);

async function main(): Promise<void> {
  const problem = memoryCgroupProblem();
  if (problem) throw new Error(`this benchmark runs the writer in a memory cgroup: ${problem}`);
  const [kafka, s3] = await Promise.all([startKafka({ heapMb: 1024 }), startS3()]);
  try {
    // 4 GiB is beyond what 4 partitions of 64 MiB buffers can hold: only the per-partition limits act.
    const noBudget = { LAKE_WRITER_MEMORY_BUDGET_BYTES: String(4096 * MiB) };
    const runs: Array<{
      name: string;
      limitMiB: number;
      env: Record<string, string>;
      result?: MemoryLimitRun;
    }> = [
      { name: 'no budget across partitions', limitMiB: LIMIT_MIB, env: noBudget },
      { name: 'budget from the limit (default)', limitMiB: LIMIT_MIB, env: {} },
      { name: 'no budget, 8 GiB limit (speed reference)', limitMiB: 8192, env: noBudget },
    ];
    for (const run of runs) {
      const names = await freshTopic(kafka, PARTITIONS);
      log(`${run.name}: producing a backlog of ${EVENTS.toLocaleString('en')} events`);
      await produceEvents(names.client, names.topic, EVENTS);
      log(`${run.name}: draining it in a ${run.limitMiB} MiB cgroup`);
      run.result = await drainUnderMemoryLimit({
        kafka,
        s3,
        ...names,
        events: EVENTS,
        limitBytes: run.limitMiB * MiB,
        env: run.env,
        timeoutMs: 600_000,
        progress: (line) => log(`${run.name}: ${line}`),
      });
      const r = run.result;
      log(
        `${run.name}: ${r.written.toLocaleString('en')} written in ${r.seconds.toFixed(0)} s, died of memory: ${r.diedOfMemory ? 'yes' : 'no'}, OOM kills ${r.oomKills}, cgroup peak ${Math.round(r.cgroupPeakBytes / MiB)} MiB, RSS peak ${Math.round(r.rssPeakBytes / MiB)} MiB`,
      );
      if (r.exitedEarly) log(`${run.name}: the writer died; its last lines:\n${r.log}`);
    }
    const [reference, budgeted, unlimited] = runs.map((run) => run.result!) as [
      MemoryLimitRun,
      MemoryLimitRun,
      MemoryLimitRun,
    ];
    const rate = (r: MemoryLimitRun) => (r.exitedEarly ? 0 : Math.round(r.written / r.seconds));
    const ratio = (a: number, b: number) => (b > 0 ? Number((a / b).toFixed(3)) : null);
    const peakMiB = (r: MemoryLimitRun) => Math.round(r.cgroupPeakBytes / MiB);
    const result = {
      benchmark: 'lake-writer-memory',
      date: new Date().toISOString(),
      machine: benchMachine('broker, S3 server and the writer (in its memory cgroup) on the same machine'),
      figures: [
        {
          name: `writer died of memory draining ${EVENTS.toLocaleString('en')} events in a ${LIMIT_MIB} MiB cgroup, with the budget (1 = yes: kernel OOM kill or V8 heap exhausted)`,
          value: budgeted.diedOfMemory ? 1 : 0,
          unit: 'deaths',
          reference: 'without a budget across partitions',
          reference_value: reference.diedOfMemory ? 1 : 0,
        },
        {
          name: `cgroup memory peak with the budget (limit ${LIMIT_MIB} MiB)`,
          value: peakMiB(budgeted),
          unit: 'MiB',
          reference: 'without a budget across partitions',
          reference_value: peakMiB(reference),
          ratio: ratio(peakMiB(budgeted), peakMiB(reference)),
        },
        {
          name: 'writer RSS peak with the budget (sampled each second)',
          value: Math.round(budgeted.rssPeakBytes / MiB),
          unit: 'MiB',
          reference: 'without a budget across partitions',
          reference_value: Math.round(reference.rssPeakBytes / MiB),
          ratio: ratio(budgeted.rssPeakBytes, reference.rssPeakBytes),
        },
        {
          name: `events written per second with the budget, in ${LIMIT_MIB} MiB`,
          value: rate(budgeted),
          unit: 'events/s',
          reference: 'no budget and no memory pressure (8 GiB limit)',
          reference_value: rate(unlimited),
          ratio: ratio(rate(budgeted), rate(unlimited)),
        },
        {
          name: 'cgroup memory peak with no budget and an 8 GiB limit (what the writer takes when it may)',
          value: peakMiB(unlimited),
          unit: 'MiB',
        },
      ],
    };
    const out = join(repoRoot, 'bench/results/lake-writer-memory.json');
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${out}`);
    if (budgeted.diedOfMemory || budgeted.exitedEarly || budgeted.written < EVENTS)
      throw new Error('the writer with its budget did not drain the backlog inside its limit');
  } finally {
    await Promise.all([kafka.destroy(), s3.destroy()]);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

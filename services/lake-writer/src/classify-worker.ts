/**
 * A worker thread of the classify pool: takes packed slices from the main thread and answers each with its
 * packed outcomes. It holds no state between slices (the classifiers are pure), so a worker that is replaced
 * loses nothing.
 */
import { parentPort } from 'node:worker_threads';
import { type ClassifierName, classifierNamed, type RecordClassifier } from './classify-record.js';
import { classifyPacked, type PackedSlice } from './record-slice.js';

export interface ClassifyRequest {
  id: number;
  slice: PackedSlice;
}

const classifiers = new Map<ClassifierName, RecordClassifier>();
const classifierOf = (name: ClassifierName) => {
  let classify = classifiers.get(name);
  if (!classify) {
    classify = classifierNamed(name);
    classifiers.set(name, classify);
  }
  return classify;
};

parentPort?.on('message', ({ id, slice }: ClassifyRequest) => {
  try {
    const outcomes = classifyPacked(slice, classifierOf(slice.classifier));
    const transfer = [
      outcomes.status.buffer,
      outcomes.bytes.buffer,
      outcomes.hourOf.buffer,
      outcomes.kinds.buffer,
    ];
    parentPort?.postMessage({ id, outcomes }, transfer as ArrayBuffer[]);
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const keep = () => process.env.SP_KEEP_WORKDIRS === '1';
const pending = new Set<string>();

// A component's `stop` keeps its data for a restart; whatever is left is removed when the test process ends.
process.once('exit', () => {
  if (keep()) return;
  for (const path of pending) rmSync(path, { recursive: true, force: true });
});

/** A fresh folder for one component instance; SP_KEEP_WORKDIRS=1 keeps it for debugging. */
export function makeWorkdir(component: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `sp-${component}-`));
  pending.add(path);
  return {
    path,
    remove: () => {
      pending.delete(path);
      if (!keep()) rmSync(path, { recursive: true, force: true });
    },
  };
}

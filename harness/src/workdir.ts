import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './paths.js';

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

/** A copy of the repository's files as git sees them (committed or not, ignored ones left out), to edit freely. */
export function copyRepository(component = 'repository'): { path: string; remove(): void } {
  const dir = makeWorkdir(component);
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repoRoot,
  })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir.path, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(dir.path, file));
  }
  return dir;
}

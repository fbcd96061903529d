// One-off helper kept for new packages: gives every workspace export a "source" condition pointing at its
// TypeScript, so tests and tsx run the sources without a prior build (vitest.config.ts, tsx --conditions=source).
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const dirs = rootPkg.workspaces.flatMap((w) =>
  w.endsWith('/*')
    ? fs.readdirSync(path.join(root, w.slice(0, -2))).map((d) => path.join(w.slice(0, -2), d))
    : [w],
);
for (const dir of dirs) {
  const file = path.join(root, dir, 'package.json');
  if (!fs.existsSync(file)) continue;
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!pkg.exports) continue;
  let changed = false;
  for (const [key, entry] of Object.entries(pkg.exports)) {
    if (typeof entry !== 'object' || !entry.types || entry.source) continue;
    pkg.exports[key] = { source: entry.types, ...entry };
    changed = true;
  }
  if (changed) {
    fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
    console.log(`added "source" condition: ${dir}`);
  }
}

// Bundles one deployable for its image (the Dockerfile's bundle stages run it): the entry point and every
// module it imports, workspace packages included, become one ESM file; the packages named with --external
// (native addons, SDKs loaded lazily) stay out of the bundle and are copied with their dependency closure
// from package-lock.json, so an image holds its own production code and nothing else.
//
//   tsx scripts/images/bundle.ts <entry.ts> <outdir> [--external <package>]...
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { dependencyClosure, type LockPackages } from './closure.js';

// Bundled CommonJS modules call require() for Node's built-ins; an ES module has no `require` of its own.
const REQUIRE_SHIM =
  "import { createRequire as __spCreateRequire } from 'node:module';\nconst require = __spCreateRequire(import.meta.url);";

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { external: { type: 'string', multiple: true, default: [] } },
  });
  const [entry, outdir] = positionals;
  if (!entry || !outdir || positionals.length !== 2) {
    throw new Error('usage: tsx scripts/images/bundle.ts <entry.ts> <outdir> [--external <package>]...');
  }
  const root = process.cwd();
  const externals = values.external;
  const started = Date.now();
  const result = await build({
    entryPoints: [entry],
    outfile: join(outdir, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Workspace packages export their TypeScript under the "source" condition: bundle from source.
    conditions: ['source'],
    external: externals,
    banner: { js: REQUIRE_SHIM },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  const inputs = Object.keys(result.metafile.inputs).length;

  const workspace = workspaceOf(root, entry);
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: LockPackages;
  };
  const paths = dependencyClosure(lock.packages, externals, workspace);
  // In the image the bundle sits at the top, so a workspace's nested install moves up beside the others.
  const placed = new Map<string, string>();
  for (const path of paths) {
    const source = join(root, path);
    if (!existsSync(source)) {
      if (lock.packages[path]?.optional) continue; // another platform's binary
      throw new Error(`${path} is in the lockfile but not installed: run npm ci first`);
    }
    const target = path.slice(path.indexOf('node_modules/'));
    const clash = placed.get(target);
    if (clash) throw new Error(`${path} and ${clash} would both be ${target} in the image`);
    placed.set(target, path);
    // Its own node_modules are entries of their own in the closure (or not needed at run time).
    const nested = join(source, 'node_modules');
    mkdirSync(dirname(join(outdir, target)), { recursive: true });
    cpSync(source, join(outdir, target), {
      recursive: true,
      filter: (src) => src !== nested && !src.startsWith(`${nested}${sep}`),
    });
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `[bundle] ${entry}: ${inputs} modules -> ${(bytes / 1e6).toFixed(1)} MB main.mjs; ` +
      `${placed.size} external packages (${externals.join(', ') || 'none'}) in ${seconds} s\n`,
  );
}

/** The workspace folder that holds `entry` ("services/loader"), where its nested node_modules live. */
function workspaceOf(root: string, entry: string): string {
  let dir = dirname(resolve(root, entry));
  while (dir.startsWith(root) && dir !== root) {
    if (existsSync(join(dir, 'package.json'))) return relative(root, dir).split(sep).join('/');
    dir = dirname(dir);
  }
  return '';
}

main().catch((err: Error) => {
  process.stderr.write(`[bundle] ${err.message}\n`);
  process.exit(1);
});

/** The `packages` map of an npm v3 lockfile: install path ("node_modules/a/node_modules/b") -> entry. */
export type LockPackages = Record<
  string,
  {
    dev?: boolean;
    optional?: boolean;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  }
>;

/**
 * The install paths a package needs at run time: the package itself and, transitively, its dependencies,
 * optional dependencies and required peers, each resolved the way Node does (nearest `node_modules` first,
 * then each parent's), starting from `workspace` (its folder, e.g. "services/loader"). Dependencies the lockfile has no entry for (an optional one of another platform,
 * say) are skipped; a required one that is missing is an error, because the image would fail at run time.
 */
export function dependencyClosure(packages: LockPackages, names: string[], workspace = ''): string[] {
  const seen = new Set<string>();
  const queue: Array<{ name: string; from: string; optional: boolean }> = names.map((name) => ({
    name,
    from: workspace,
    optional: false,
  }));
  while (queue.length > 0) {
    const { name, from, optional } = queue.shift()!;
    const path = resolveInstallPath(packages, name, from);
    if (path === undefined) {
      if (optional) continue;
      throw new Error(`package-lock.json has no install of ${name} reachable from "${from || '(root)'}"`);
    }
    if (seen.has(path)) continue;
    seen.add(path);
    const entry = packages[path]!;
    const peersOptional = entry.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(entry.dependencies ?? {}))
      queue.push({ name: dep, from: path, optional: false });
    for (const dep of Object.keys(entry.optionalDependencies ?? {}))
      queue.push({ name: dep, from: path, optional: true });
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      queue.push({ name: dep, from: path, optional: peersOptional[dep]?.optional === true });
  }
  return [...seen].sort();
}

function resolveInstallPath(packages: LockPackages, name: string, from: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

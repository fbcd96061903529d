import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencyClosure, type LockPackages } from './closure.js';

const lock: LockPackages = {
  '': {},
  'services/loader': { dependencies: { addon: '^1' } },
  'node_modules/addon': {
    dependencies: { shared: '^1', nested: '^2' },
    optionalDependencies: { 'addon-linux': '1', 'addon-darwin': '1' },
    peerDependencies: { peer: '*', 'optional-peer': '*' },
    peerDependenciesMeta: { 'optional-peer': { optional: true } },
  },
  'node_modules/addon-linux': { optional: true },
  'node_modules/shared': {},
  'node_modules/nested': { dev: true },
  'node_modules/addon/node_modules/nested': { dependencies: { shared: '^1' } },
  'node_modules/peer': {},
  'node_modules/unrelated': {},
  'services/loader/node_modules/local': { dependencies: { shared: '^2' } },
  'services/loader/node_modules/shared': {},
};

describe('dependencyClosure', () => {
  it('follows dependencies, optional ones that are installed and required peers, nearest install first', () => {
    expect(dependencyClosure(lock, ['addon'])).toEqual([
      'node_modules/addon',
      'node_modules/addon-linux',
      'node_modules/addon/node_modules/nested',
      'node_modules/peer',
      'node_modules/shared',
    ]);
  });

  it("resolves from a workspace's own node_modules before the root's", () => {
    expect(dependencyClosure(lock, ['local'], 'services/loader')).toEqual([
      'services/loader/node_modules/local',
      'services/loader/node_modules/shared',
    ]);
    expect(dependencyClosure(lock, ['addon'], 'services/loader')).toContain('node_modules/addon');
  });

  it('fails on a required dependency the lockfile does not have, naming it and where it was needed', () => {
    const broken: LockPackages = { 'node_modules/a': { dependencies: { missing: '1' } } };
    expect(() => dependencyClosure(broken, ['a'])).toThrow(
      'package-lock.json has no install of missing reachable from "node_modules/a"',
    );
    expect(() => dependencyClosure(lock, ['nope'])).toThrow('no install of nope');
  });

  it("gives the loader's externals from the real lockfile: the addon's platform binding, no dev package", () => {
    const real = JSON.parse(readFileSync(join(import.meta.dirname, '../../package-lock.json'), 'utf8')) as {
      packages: LockPackages;
    };
    const closure = dependencyClosure(
      real.packages,
      ['@duckdb/node-api', 'snowflake-sdk'],
      'services/loader',
    );
    expect(closure).toContain('node_modules/@duckdb/node-bindings-linux-x64');
    expect(closure).toContain('node_modules/snowflake-sdk');
    expect(closure.filter((p) => real.packages[p]?.dev)).toEqual([]);
    expect(closure).not.toContain('node_modules/kafkajs');
  });
});

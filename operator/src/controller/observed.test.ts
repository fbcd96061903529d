import { describe, expect, it } from 'vitest';
import { firstDifference, isSubset } from './observed.js';

describe('isSubset', () => {
  it('ignores fields the API server or other managers added', () => {
    const desired = {
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'a', image: 'x:1' }] } } },
    };
    const actual = {
      spec: {
        replicas: 2,
        progressDeadlineSeconds: 600,
        template: {
          spec: { containers: [{ name: 'a', image: 'x:1', terminationMessagePath: '/dev/termination-log' }] },
        },
      },
      status: { availableReplicas: 2 },
    };
    expect(isSubset(desired, actual)).toBe(true);
  });

  it('sees a changed value, a missing field or a different list length', () => {
    expect(isSubset({ a: { b: 1 } }, { a: { b: 2 } })).toBe(false);
    expect(isSubset({ a: { b: 1 } }, { a: {} })).toBe(false);
    expect(isSubset({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(isSubset({ a: '1' }, { a: 1 })).toBe(false);
  });
});

describe('firstDifference', () => {
  it('names the first path where what was sent does not read back, and null when it all does', () => {
    const sent = { spec: { volumes: [{ name: 'v', pvc: { claimName: 'c', readOnly: false } }] } };
    expect(firstDifference(sent, { spec: { volumes: [{ name: 'v', pvc: { claimName: 'c' } }] } })).toBe(
      '.spec.volumes[0].pvc.readOnly: sent false, read back undefined',
    );
    expect(firstDifference({ a: [1] }, { a: [1, 2] })).toBe('.a: sent [1], read back [1,2]');
    expect(firstDifference(sent, structuredClone(sent))).toBeNull();
  });
});

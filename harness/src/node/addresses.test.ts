import { describe, expect, it } from 'vitest';
import { MAX_SLOT, nodeAddresses, prefixesOverlap, slotPrefixes } from './addresses.js';

describe('node addresses', () => {
  it('derives every address of a slot from it', () => {
    const a = nodeAddresses(7);
    expect([a.hostAddress, a.nodeAddress, a.bridgeAddress, a.apiServiceAddress, a.dnsAddress]).toEqual([
      '10.239.7.1',
      '10.239.7.2',
      '10.240.7.1',
      '10.241.7.1',
      '10.241.7.10',
    ]);
    expect(a.hostInterface).toBe('spnode7');
  });

  it('rejects slots outside 1-254', () => {
    for (const bad of [0, MAX_SLOT + 1, 1.5, Number.NaN]) {
      expect(() => nodeAddresses(bad)).toThrow(/node slot must be an integer in 1-254/);
    }
  });

  it('gives no two slots an overlapping prefix, and fits interface names in 15 characters', () => {
    const all = Array.from({ length: MAX_SLOT }, (_, i) => slotPrefixes(i + 1));
    for (let i = 0; i < all.length; i += 17) {
      for (let j = 0; j < all.length; j++) {
        if (i === j) continue;
        for (const p of all[i]!) for (const q of all[j]!) expect(prefixesOverlap(p, q)).toBe(false);
      }
    }
    expect(nodeAddresses(MAX_SLOT).hostInterface.length).toBeLessThanOrEqual(15);
  });

  it('sees an overlap with a wider or narrower host route, and none with unrelated or malformed ones', () => {
    expect(prefixesOverlap('10.0.0.0/8', '10.240.7.0/24')).toBe(true);
    expect(prefixesOverlap('10.240.7.128/25', '10.240.7.0/24')).toBe(true);
    expect(prefixesOverlap('10.240.7.9', '10.240.7.0/24')).toBe(true);
    expect(prefixesOverlap('10.240.8.0/24', '10.240.7.0/24')).toBe(false);
    expect(prefixesOverlap('192.0.2.0/24', '10.240.7.0/24')).toBe(false);
    expect(prefixesOverlap('fe80::/64', '10.240.7.0/24')).toBe(false);
    expect(prefixesOverlap('10.240.7.0/33', '10.240.7.0/24')).toBe(false);
  });
});

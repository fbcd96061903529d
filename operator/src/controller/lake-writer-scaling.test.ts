import { describe, expect, it } from 'vitest';
import { hasReported, quantityValue, scalingEvent, scalingFromHpa } from './lake-writer-scaling.js';

describe('lake writer scaling', () => {
  it('reads current/desired writers and the total lag from the HPA status', () => {
    const scaling = scalingFromHpa('keda', {
      status: {
        currentReplicas: 3,
        desiredReplicas: 6,
        lastScaleTime: '2026-12-01T00:00:00Z',
        currentMetrics: [{ type: 'External', external: { current: { averageValue: '41666500m' } } }],
      },
    });
    expect(scaling).toEqual({
      autoscaler: 'keda',
      current: 3,
      desired: 6,
      lag: 125_000,
      lastScaleTime: '2026-12-01T00:00:00Z',
    });
  });

  it('no metric yet: writers without a lag', () => {
    expect(scalingFromHpa('hpa', { status: { currentReplicas: 1, desiredReplicas: 1 } })).toEqual({
      autoscaler: 'hpa',
      current: 1,
      desired: 1,
    });
  });

  it('an HPA the controller has not looked at yet reports nothing (not 0 writers)', () => {
    expect(hasReported({ status: { desiredReplicas: 0 } })).toBe(false);
    expect(hasReported({ status: { currentReplicas: 1, conditions: [{ type: 'AbleToScale' }] } })).toBe(true);
  });

  it('quantities', () => {
    expect(quantityValue('2k')).toBe(2000);
    expect(quantityValue('1500m')).toBe(1.5);
    expect(quantityValue('12')).toBe(12);
    expect(quantityValue('bogus')).toBeNaN();
  });

  it('an Event line only when the number of writers changed', () => {
    const one = { autoscaler: 'keda' as const, current: 1, desired: 6, lag: 200_000 };
    const six = { autoscaler: 'keda' as const, current: 6, desired: 6, lag: 150_000 };
    expect(scalingEvent(one, six)).toBe('Lake writers 1 -> 6 (keda: desired 6, lag 150,000).');
    expect(scalingEvent(six, { ...six, lag: 10 })).toBeNull();
    expect(scalingEvent(undefined, six)).toBeNull();
  });
});

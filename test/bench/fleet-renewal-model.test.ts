/**
 * The fleet renewal and authorizer policy models of `bench/fleet-renewal-model.ts`: the issue's
 * figures (#26, 10) with the 15-minute token, the 24-hour token under the throttle, and the
 * authorizer's answer for many channels within IoT's limits.
 */
import { describe, expect, it } from 'vitest';
import { channelLimits, policySize, renewalModel } from '../../bench/fleet-renewal-model.js';

describe('fleet renewal model', () => {
  it("reproduces the issue's figures with a 15-minute token: hourly re-registration, 28/s at 100,000, 2,000 s for 10,000 after an outage", () => {
    const fleet = renewalModel({ clients: 100_000, tokenLifetimeS: 900 });
    expect(fleet.renewalPeriodS).toBe(3_600);
    expect(fleet.steadyRegistrationsPerS).toBeCloseTo(27.8, 1);
    expect(fleet.steadyLoad).toBeGreaterThan(5);
    expect(renewalModel({ clients: 10_000, tokenLifetimeS: 900 }).outageDrainS).toBe(2_000);
  });

  it('with the 24-hour token, 100,000 clients stay under the registration throttle and a 1-hour outage drains in under 2 minutes for 10,000', () => {
    const fleet = renewalModel({ clients: 100_000, tokenLifetimeS: 86_400 });
    expect(fleet.renewalPeriodS).toBe(86_400);
    expect(fleet.steadyRegistrationsPerS).toBeCloseTo(1.16, 2);
    expect(fleet.steadyLoad).toBeLessThan(1);
    const outage = renewalModel({ clients: 10_000, tokenLifetimeS: 86_400 });
    expect(outage.outageBacklog).toBe(417);
    expect(outage.outageDrainS).toBeLessThan(120);
  });
});

describe('authorizer policy size model', () => {
  it('one document overflows 2,048 characters at a handful of channels; the split answer holds many more within 10 documents', () => {
    const limits = channelLimits();
    expect(limits.singleDocument).toBeLessThan(10);
    expect(limits.split).toBeGreaterThan(4 * limits.singleDocument);
    const row = policySize(limits.split);
    expect(row.documents).toBeLessThanOrEqual(10);
    expect(row.largestDocumentChars).toBeLessThanOrEqual(2_048);
    expect(policySize(limits.split + 1).documents).toBe(Infinity);
  });
});

import { describe, expect, it } from 'vitest';
import type { Refusal } from './refusal-events.js';
import { RefusalEvents } from './refusal-events.js';

const refusal: Refusal = {
  action: 'subscribe',
  reason: 'policy-denied',
  transport: 'tls',
  ipAddress: '127.0.0.1',
  clientId: 'alice',
  topic: 'a/b',
  linkKept: false,
  detail: 'words',
};

describe('RefusalEvents', () => {
  it('hands each refusal to every listener until its remover is called', () => {
    const warnings: string[] = [];
    const events = new RefusalEvents({
      info: () => undefined,
      warn: (line) => warnings.push(line),
      error: () => undefined,
    });
    const first: Refusal[] = [];
    const second: Refusal[] = [];
    const removeFirst = events.on((r) => first.push(r));
    events.on((r) => second.push(r));
    events.emit(refusal);
    removeFirst();
    removeFirst();
    events.emit({ ...refusal, reason: 'banned' });
    expect(first.map((r) => r.reason)).toEqual(['policy-denied']);
    expect(second.map((r) => r.reason)).toEqual(['policy-denied', 'banned']);
    expect(warnings).toEqual([]);
  });

  it('one function added twice is two listeners, each removed by its own remover', () => {
    const events = new RefusalEvents({ info: () => undefined, warn: () => undefined, error: () => undefined });
    const seen: string[] = [];
    const listener = (r: Refusal): void => void seen.push(r.reason);
    const removeOne = events.on(listener);
    events.on(listener);
    events.emit(refusal);
    removeOne();
    events.emit(refusal);
    expect(seen).toEqual(['policy-denied', 'policy-denied', 'policy-denied']);
  });

  it('a listener that throws is logged; the others still hear the refusal', () => {
    const warnings: string[] = [];
    const events = new RefusalEvents({
      info: () => undefined,
      warn: (line) => warnings.push(line),
      error: () => undefined,
    });
    const seen: Refusal[] = [];
    events.on(() => {
      throw new Error('listener bug');
    });
    events.on((r) => seen.push(r));
    expect(() => events.emit(refusal)).not.toThrow();
    expect(seen).toEqual([refusal]);
    expect(warnings).toEqual(['a refusal listener threw: listener bug']);
  });
});

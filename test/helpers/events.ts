/** Waits for client events instead of sleeping. */
import type { WebcommClient, WebcommClientEvents } from '@webcomm/core';

/** Resolves with the arguments of the next `event` for which `predicate` holds. */
export function nextEvent<K extends keyof WebcommClientEvents>(
  client: WebcommClient,
  event: K,
  predicate: (...args: WebcommClientEvents[K]) => boolean = () => true,
): Promise<WebcommClientEvents[K]> {
  return new Promise((resolve) => {
    const listener = (...args: WebcommClientEvents[K]): void => {
      if (!predicate(...args)) return;
      client.off(event, listener as never);
      resolve(args);
    };
    client.on(event, listener as never);
  });
}

/** Collects every emission of `event` into an array. */
export function record<K extends keyof WebcommClientEvents>(client: WebcommClient, event: K): WebcommClientEvents[K][] {
  const seen: WebcommClientEvents[K][] = [];
  client.on(event, ((...args: WebcommClientEvents[K]) => seen.push(args)) as never);
  return seen;
}

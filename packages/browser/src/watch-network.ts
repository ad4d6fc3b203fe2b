import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, optionKeys } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys

/** What {@link watchNetwork} reports; wire these into the client (reconnect now, pause, check the link). */
export interface NetworkHooks {
  /** The browser says the network is back: reconnect at once instead of waiting out a backoff. */
  onOnline?(): void;
  /** The browser says the network is gone. */
  onOffline?(): void;
  /** The page became visible. */
  onVisible?(): void;
  /** The page was hidden (background tab, minimised); timers are throttled from now on. */
  onHidden?(): void;
  /**
   * A periodic check ran `gapMs` later than scheduled by the wall clock: the page was frozen,
   * throttled or the machine slept. Judge the link by wall-clock time now (e.g. time since the
   * last packet against 1.5 × keepalive) rather than trusting timers that did not run.
   */
  onWake?(gapMs: number): void;
}

/** Timer functions, injectable so tests drive time. */
export interface NetworkTimer {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Options of {@link watchNetwork}. */
export interface WatchNetworkOptions {
  /**
   * Receives `online`/`offline`.
   * @default globalThis (the window)
   */
  readonly window?: EventTarget;
  /**
   * Receives `visibilitychange` and has `visibilityState`.
   * @default globalThis.document
   */
  readonly document?: EventTarget & { readonly visibilityState?: string };
  /**
   * Period of the wake check; 0 turns it off.
   * @default 5_000
   */
  readonly wakeCheckMs?: number;
  /**
   * Lateness beyond which a check counts as a wake.
   * @default 10_000
   */
  readonly wakeThresholdMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default globalThis setInterval/clearInterval */
  readonly timer?: NetworkTimer;
}

/** Every key of {@link WatchNetworkOptions}. */
export const WATCH_NETWORK_KEYS = optionKeys<WatchNetworkOptions>({
  window: true,
  document: true,
  wakeCheckMs: true,
  wakeThresholdMs: true,
  now: true,
  timer: true,
});

/** Defaults of {@link WatchNetworkOptions}. */
export const WATCH_NETWORK_DEFAULTS = { wakeCheckMs: 5_000, wakeThresholdMs: 10_000 } as const;

/**
 * Listens to the browser's network and visibility events and to wall-clock jumps, calling
 * `hooks`. Returns a function that removes every listener and timer. Works where some of these
 * do not exist (workers, Node): it watches what is there.
 */
export function watchNetwork(hooks: NetworkHooks, options: WatchNetworkOptions = {}): () => void {
  assertKnownOptions(options, WATCH_NETWORK_KEYS, 'watchNetwork()');
  assertKnownOptions(
    hooks,
    optionKeys<NetworkHooks>({ onOnline: true, onOffline: true, onVisible: true, onHidden: true, onWake: true }),
    'watchNetwork()',
    'hooks',
  );
  const g = globalThis as { addEventListener?: unknown; document?: WatchNetworkOptions['document'] };
  const win =
    options.window ?? (typeof g.addEventListener === 'function' ? (globalThis as unknown as EventTarget) : undefined);
  const doc = options.document ?? g.document;
  const wakeCheckMs = options.wakeCheckMs ?? WATCH_NETWORK_DEFAULTS.wakeCheckMs;
  const wakeThresholdMs = options.wakeThresholdMs ?? WATCH_NETWORK_DEFAULTS.wakeThresholdMs;
  for (const [name, value] of [
    ['wakeCheckMs', wakeCheckMs],
    ['wakeThresholdMs', wakeThresholdMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `${name} must be a finite number ≥ 0 (got ${value}).`);
    }
  }
  const now = options.now ?? Date.now;
  const timer: NetworkTimer = options.timer ?? {
    setInterval: (callback, ms) => setInterval(callback, ms),
    clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
  };

  const online = (): void => hooks.onOnline?.();
  const offline = (): void => hooks.onOffline?.();
  const visibility = (): void => {
    if (doc?.visibilityState === 'hidden') hooks.onHidden?.();
    else hooks.onVisible?.();
  };
  win?.addEventListener('online', online);
  win?.addEventListener('offline', offline);
  doc?.addEventListener('visibilitychange', visibility);

  let handle: unknown;
  if (wakeCheckMs > 0 && hooks.onWake !== undefined) {
    let last = now();
    handle = timer.setInterval(() => {
      const at = now();
      const late = at - last - wakeCheckMs;
      last = at;
      if (late > wakeThresholdMs) hooks.onWake?.(late);
    }, wakeCheckMs);
  }

  return () => {
    win?.removeEventListener('online', online);
    win?.removeEventListener('offline', offline);
    doc?.removeEventListener('visibilitychange', visibility);
    if (handle !== undefined) timer.clearInterval(handle);
  };
}

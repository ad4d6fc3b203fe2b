/** A listener of one event of `Events`. */
type Listener<Events, E extends keyof Events> = (...args: Events[E] extends unknown[] ? Events[E] : never) => void;

/**
 * The event emitter of an {@link MqttLink}: `on`, `off`, `once`, `emit`, as eventemitter3's
 * (listeners run in order with the link as `this`, an `error` without a listener does not
 * throw), in a fraction of its memory. eventemitter3 keeps a wrapper object per listener in an
 * object whose keys come and go; once a key is deleted (a connect attempt takes its `connack`
 * listener off) that object turns into a hash table: about 700 bytes per idle link. Here an
 * event holds its one listener itself, or a list of several replaced on every change (never
 * changed in place, so an emit runs the listeners that were there when it started), or
 * `undefined`; nothing is deleted.
 */
export class LinkEmitter<Events extends { [E in keyof Events]: unknown[] }> {
  /** Per event: no listener (`undefined`), one (the function itself, the usual case), or a list. */
  #listeners: { [E in keyof Events]?: Listener<Events, E> | readonly Listener<Events, E>[] } = {};

  on<E extends keyof Events>(event: E, listener: Listener<Events, E>): this {
    const current = this.#listeners[event] as Listener<Events, E> | readonly Listener<Events, E>[] | undefined;
    this.#listeners[event] =
      current === undefined ? listener : typeof current === 'function' ? [current, listener] : [...current, listener];
    return this;
  }

  /** Removes every registration of `listener` for `event`, as eventemitter3 does. */
  off<E extends keyof Events>(event: E, listener: Listener<Events, E>): this {
    const current = this.#listeners[event] as Listener<Events, E> | readonly Listener<Events, E>[] | undefined;
    if (current === undefined) return this;
    // A `once` registration is removed by its listener too, as in eventemitter3.
    const matches = (l: Listener<Events, E>): boolean =>
      l === listener || (l as { listener?: unknown }).listener === listener;
    if (typeof current === 'function') {
      if (matches(current)) this.#listeners[event] = undefined;
      return this;
    }
    const rest = current.filter((l) => !matches(l));
    if (rest.length !== current.length)
      this.#listeners[event] = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : rest;
    return this;
  }

  once<E extends keyof Events>(event: E, listener: Listener<Events, E>): this {
    const once = Object.assign(
      (...args: Events[E] extends unknown[] ? Events[E] : never): void => {
        this.off(event, once);
        listener.apply(this, args);
      },
      { listener },
    ) as Listener<Events, E>;
    return this.on(event, once);
  }

  /**
   * Calls every listener of `event` in order; false when it has none. Every event of a link has
   * at most one argument, so there is no rest array to allocate per emit (one per message).
   */
  emit<E extends keyof Events>(event: E, ...args: Events[E] & [unknown?]): boolean;
  emit(event: keyof Events, arg?: unknown): boolean {
    type Untyped = (this: this, arg?: unknown) => void;
    const current = this.#listeners[event] as Untyped | readonly Untyped[] | undefined;
    if (current === undefined) return false;
    const withArg = arguments.length > 1;
    if (typeof current === 'function') {
      if (withArg) current.call(this, arg);
      else current.call(this);
      return true;
    }
    for (const listener of current) {
      if (withArg) listener.call(this, arg);
      else listener.call(this);
    }
    return true;
  }
}

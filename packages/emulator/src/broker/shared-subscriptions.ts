/**
 * Shared subscriptions (`$share/{group}/{filter}`) as IoT Core offers them to MQTT 3.1.1 and 5
 * clients: each message on `filter` goes to one member of the group, not to each. aedes refuses
 * them, so the SUBSCRIBE is rewritten to the plain filter before aedes sees it (the policy is then
 * checked against the filter, as IoT Core does) and this table decides, per message and member,
 * whether the member is the one to get it. Membership is by client id, so a persistent session's
 * shared subscriptions come back with it.
 */
import { filterCovers } from './filter-covers.js';

/** `$share/`: the prefix MQTT 5 gives shared subscriptions. */
export const SHARE_PREFIX = '$share/';

/** A shared filter split into its group and the filter it shares. */
export interface SharedFilter {
  readonly group: string;
  readonly filter: string;
}

/** `$share/{group}/{filter}` split, or undefined when `topic` is not a well-formed shared filter. */
export function parseSharedFilter(topic: string): SharedFilter | undefined {
  if (!topic.startsWith(SHARE_PREFIX)) return undefined;
  const rest = topic.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const group = rest.slice(0, slash);
  const filter = rest.slice(slash + 1);
  if (/[+#]/.test(group) || filter === '') return undefined;
  return { group, filter };
}

/** One client's use of one filter: the groups it shares it in, and whether it also holds it plainly. */
interface FilterUse {
  readonly groups: Set<string>;
  plain: boolean;
}

/** What the table asks the broker about a member. */
export interface MemberLookup {
  /** The filters the client's live connection holds; undefined when it is not connected. */
  heldFilters(clientId: string): Readonly<Record<string, unknown>> | undefined;
}

/** The shared subscriptions of one broker. */
export class SharedSubscriptions {
  /** clientId → filter → use. */
  readonly #byClient = new Map<string, Map<string, FilterUse>>();
  /** `group \n filter` → member client ids, in joining order. */
  readonly #members = new Map<string, Set<string>>();
  readonly #lookup: MemberLookup;

  constructor(lookup: MemberLookup) {
    this.#lookup = lookup;
  }

  /**
   * A SUBSCRIBE's filters: shared ones become their plain filter (what aedes subscribes and the
   * policy checks) and join their group; a plain filter is noted as held plainly too.
   */
  subscribe(clientId: string, subscriptions: { topic: string }[]): void {
    for (const subscription of subscriptions) {
      const shared = parseSharedFilter(subscription.topic);
      if (shared === undefined) {
        const use = this.#byClient.get(clientId)?.get(subscription.topic);
        if (use !== undefined) use.plain = true;
        continue;
      }
      subscription.topic = shared.filter;
      const fresh = this.#byClient.get(clientId)?.get(shared.filter) === undefined;
      const use = this.#use(clientId, shared.filter);
      // Held already and not as a share: the client holds it plainly too.
      if (fresh && this.#lookup.heldFilters(clientId)?.[shared.filter] !== undefined) use.plain = true;
      use.groups.add(shared.group);
      const key = `${shared.group}\n${shared.filter}`;
      const members = this.#members.get(key) ?? new Set<string>();
      members.add(clientId);
      this.#members.set(key, members);
    }
  }

  /**
   * An UNSUBSCRIBE's filters: a shared one leaves its group; aedes is asked to drop the plain
   * filter only when the client no longer uses it in any way (the list is edited in place).
   */
  unsubscribe(clientId: string, unsubscriptions: string[]): void {
    const kept: string[] = [];
    for (const topic of unsubscriptions) {
      const shared = parseSharedFilter(topic);
      const filter = shared?.filter ?? topic;
      const use = this.#byClient.get(clientId)?.get(filter);
      if (use === undefined) {
        kept.push(topic);
        continue;
      }
      if (shared === undefined) use.plain = false;
      else this.#leave(clientId, shared);
      if (use.plain || use.groups.size > 0) continue;
      const uses = this.#byClient.get(clientId);
      uses?.delete(filter);
      if (uses?.size === 0) this.#byClient.delete(clientId);
      kept.push(filter);
    }
    unsubscriptions.splice(0, unsubscriptions.length, ...kept);
  }

  /** The client's session ended (clean start, expiry, a clean link closed): it leaves every group. */
  forget(clientId: string): void {
    const uses = this.#byClient.get(clientId);
    if (uses === undefined) return;
    for (const [filter, use] of uses) for (const group of use.groups) this.#leave(clientId, { group, filter });
    this.#byClient.delete(clientId);
  }

  /**
   * Whether `clientId` gets the message `counter` (the broker's per-message number) on `topic`:
   * yes through any plain subscription that matches; through a shared one only when it is the
   * group's pick for this message (round robin over the connected members holding the filter).
   * Replayed retained messages (`retain`) reach plain subscriptions only, as MQTT 5 says.
   */
  delivers(clientId: string, topic: string, counter: number, retain: boolean): boolean {
    const uses = this.#byClient.get(clientId);
    if (uses === undefined) return true;
    const held = this.#lookup.heldFilters(clientId) ?? {};
    for (const filter of Object.keys(held)) {
      if (!filterCovers(filter, topic)) continue;
      const use = uses.get(filter);
      if (use === undefined || use.plain) return true;
      if (retain) continue;
      for (const group of use.groups) if (this.#pick(group, filter, counter) === clientId) return true;
    }
    return false;
  }

  /** Client ids that are members of some group (for tests and counts). */
  get size(): number {
    return this.#byClient.size;
  }

  #pick(group: string, filter: string, counter: number): string | undefined {
    const members = [...(this.#members.get(`${group}\n${filter}`) ?? [])].filter(
      (id) => this.#lookup.heldFilters(id)?.[filter] !== undefined,
    );
    return members[counter % Math.max(members.length, 1)];
  }

  #use(clientId: string, filter: string): FilterUse {
    const uses = this.#byClient.get(clientId) ?? new Map<string, FilterUse>();
    this.#byClient.set(clientId, uses);
    const use = uses.get(filter) ?? { groups: new Set<string>(), plain: false };
    uses.set(filter, use);
    return use;
  }

  #leave(clientId: string, shared: SharedFilter): void {
    this.#byClient.get(clientId)?.get(shared.filter)?.groups.delete(shared.group);
    const key = `${shared.group}\n${shared.filter}`;
    const members = this.#members.get(key);
    members?.delete(clientId);
    if (members?.size === 0) this.#members.delete(key);
  }
}

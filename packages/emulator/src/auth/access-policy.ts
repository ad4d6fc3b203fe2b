/**
 * What a connection may do, as IoT Core decides it: policy documents (custom authorizers,
 * `document-policy.ts`) or the service's default filter policy. Deny wins; nothing is allowed unless granted.
 */
import { TopicTrie } from '@webcomm/core/internal';
import { filterCovers } from '../broker/filter-covers.js';

/** The IoT actions the broker checks. */
export type IotAction = 'iot:Connect' | 'iot:Publish' | 'iot:Subscribe' | 'iot:Receive';

/** Decides whether a connection may perform an action on a client id, topic or topic filter. */
export interface AccessPolicy {
  /** `allow`, `deny` (explicit) or `none` (not mentioned). */
  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none';
}

/** What the default policy grants one connection. */
export interface FilterGrants {
  /**
   * Topics granted exactly, for subscribe and receive. `+` and `#` in them are plain characters:
   * they may hold a client id, and a client id must never widen a grant.
   */
  readonly topics: readonly string[];
  /** MQTT filters with live wildcards, from configuration only (never built from a client id). @default [] */
  readonly filters?: readonly string[];
  /** Topics the connection may publish on, exactly. */
  readonly publish: readonly string[];
}

/** The service's default policy: exact topics (the client's channels) plus configured filters. */
export class FilterPolicy implements AccessPolicy {
  readonly #topics: ReadonlySet<string>;
  readonly #filters: readonly string[];
  /** The same filters for receive checks, matched as IoT Core does (`a/#` does not match `a`). */
  readonly #receive = new TopicTrie<true>({ hashMatchesParent: false });
  readonly #publish: ReadonlySet<string>;

  constructor(grants: FilterGrants) {
    this.#topics = new Set(grants.topics);
    this.#filters = grants.filters ?? [];
    for (const filter of this.#filters) this.#receive.add(filter, true);
    this.#publish = new Set(grants.publish);
  }

  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none' {
    switch (action) {
      case 'iot:Subscribe':
        // A granted topic covers only the identical filter: as in IoT Core, where `+`/`#` in a policy resource are literal.
        return this.#topics.has(target) || this.#filters.some((filter) => filterCovers(filter, target))
          ? 'allow'
          : 'none';
      case 'iot:Receive':
        return this.#topics.has(target) || this.#receive.match(target).length > 0 ? 'allow' : 'none';
      case 'iot:Publish':
        return this.#publish.has(target) ? 'allow' : 'none';
      case 'iot:Connect':
        return 'none';
    }
  }
}

/** Allowed when some policy allows and none denies. */
export function isAllowed(policies: readonly AccessPolicy[], action: IotAction, target: string): boolean {
  let allowed = false;
  for (const policy of policies) {
    const verdict = policy.evaluate(action, target);
    if (verdict === 'deny') return false;
    if (verdict === 'allow') allowed = true;
  }
  return allowed;
}

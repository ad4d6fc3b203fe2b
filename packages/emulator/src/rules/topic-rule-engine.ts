/**
 * Server-side rules on client messages, the emulator's stand-in for AWS IoT's rules engine with a
 * Lambda action: every message a client publishes (straight to the broker once the policy allowed
 * it, or through the service's `POST /publish`) that matches a rule's `FROM` filter is handed to
 * the rule's handler with the publisher's identity. Handlers run after the publish is accepted,
 * on a later turn of the event loop, so they never delay the publisher's PUBACK or HTTP answer;
 * a handler's error is logged and goes no further, as a failed Lambda never reaches the device.
 */
import type { TopicRuleDefinition } from '@webcomm/core';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, describeThrown, optionKeys, TopicTrie } from '@webcomm/core/internal';
import type { Logger } from '../logger.js';
import type { ParsedRuleSql } from './topic-rule-sql.js';
import { parseRuleSql, selectMessage } from './topic-rule-sql.js';

/** Who published a message a rule matched, and how it arrived. */
export interface TopicRuleContext {
  /** The rule's name. */
  readonly rule: string;
  /** The topic the message was published on (`topic()`). */
  readonly topic: string;
  /** The publisher's MQTT client id (`clientid()`); for `POST /publish`, the caller's client id. */
  readonly clientId: string;
  /** The publisher's principal: its Cognito identity id, certificate owner or authorizer `principalId`. */
  readonly principalId: string;
  /** The payload as published. */
  readonly payload: Uint8Array;
  /** `mqtt`: published to the broker; `service-api`: sent through `POST /publish`. */
  readonly via: 'mqtt' | 'service-api';
  /** When the broker accepted the message, ms since the epoch (the emulator's clock). */
  readonly receivedAt: number;
}

/**
 * A rule's handler (the Lambda of an IoT rule). `message` is what the rule's SELECT makes of the
 * payload (see {@link TopicRule}); a throw or rejection is logged and never reaches the publisher.
 */
export type TopicRuleHandler = (message: unknown, context: TopicRuleContext) => void | Promise<void>;

/**
 * A server-side rule for the emulator: IoT's rule name and SQL, and the handler to run. With
 * `SELECT *`, `message` is the JSON payload (selected `topic()`/`clientid()` fields added when it is
 * an object; `undefined` when the payload is not JSON); without `*`, an object of the selected fields.
 */
export interface TopicRule extends TopicRuleDefinition {
  readonly handler: TopicRuleHandler;
}

/** A message a client published, as the broker or the publish route accepted it. */
export interface PublishedMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly clientId: string;
  readonly principalId: string;
  readonly via: 'mqtt' | 'service-api';
}

/** A rule with its SQL parsed (what {@link compileTopicRules} returns). */
export interface CompiledRule {
  readonly rule: TopicRule;
  readonly parsed: ParsedRuleSql;
}

const RULE_NAME = /^[A-Za-z0-9_]{1,128}$/;
const RULE_KEYS = optionKeys<TopicRule>({ name: true, sql: true, handler: true });

/** Validates the `rules` option; throws `WEBCOMM_INVALID_RULE` naming the rule and the problem. */
export function compileTopicRules(rules: readonly TopicRule[] | undefined): readonly CompiledRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules))
    throw new WebcommError(
      ERROR_CODES.INVALID_RULE,
      'startEmulator: option "rules" must be a list of {name, sql, handler}.',
      { fatal: true },
    );
  const names = new Set<string>();
  return rules.map((rule: TopicRule, index) => {
    assertKnownOptions(rule, RULE_KEYS, 'startEmulator()', `rules[${index}]`);
    const name = typeof rule?.name === 'string' ? rule.name : '';
    if (!RULE_NAME.test(name))
      throw new WebcommError(
        ERROR_CODES.INVALID_RULE,
        `startEmulator: rules[${index}].name must be 1-128 of A-Z a-z 0-9 _ (IoT's rule names; got ${JSON.stringify(rule?.name)}).`,
        { fatal: true },
      );
    if (names.has(name))
      throw new WebcommError(
        ERROR_CODES.INVALID_RULE,
        `startEmulator: rule name "${name}" is used twice; rule names are unique.`,
        { fatal: true },
      );
    names.add(name);
    if (typeof rule.handler !== 'function')
      throw new WebcommError(
        ERROR_CODES.INVALID_RULE,
        `startEmulator: rule "${name}" needs a handler: async (message, context) => {...}.`,
        { fatal: true },
      );
    return { rule, parsed: parseRuleSql(rule.sql, name) };
  });
}

/** Runs the rules whose filters match each published message. */
export class TopicRuleEngine {
  readonly #trie = new TopicTrie<CompiledRule>({ hashMatchesParent: false });
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #count: number;
  #closed = false;

  constructor(rules: readonly CompiledRule[], logger: Logger, now: () => number) {
    for (const compiled of rules) this.#trie.add(compiled.parsed.filter, compiled);
    this.#count = rules.length;
    this.#logger = logger;
    this.#now = now;
  }

  /** Hands `message` to every matching rule, on a later turn: returns at once. */
  dispatch(message: PublishedMessage): void {
    if (this.#closed || this.#count === 0) return;
    const matched = this.#trie.match(message.topic);
    if (matched.length === 0) return;
    const receivedAt = this.#now();
    // Copied: aedes may reuse the buffer once the publish is done.
    const payload = Uint8Array.from(message.payload);
    setImmediate(() => {
      for (const { rule, parsed } of matched) {
        const context: TopicRuleContext = {
          rule: rule.name,
          topic: message.topic,
          clientId: message.clientId,
          principalId: message.principalId,
          payload,
          via: message.via,
          receivedAt,
        };
        this.#run(rule, selectMessage(parsed, { topic: message.topic, clientId: message.clientId, payload }), context);
      }
    });
  }

  #run(rule: TopicRule, selected: unknown, context: TopicRuleContext): void {
    const failed = (error: unknown): void => {
      this.#logger.warn(
        `rule "${rule.name}" failed on ${context.topic} from "${context.clientId}": ${describeThrown(error)}`,
      );
    };
    try {
      const result = rule.handler(selected, context);
      if (result instanceof Promise) result.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  /** No rule runs after this (the emulator is stopping). */
  close(): void {
    this.#closed = true;
  }
}

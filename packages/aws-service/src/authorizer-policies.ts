/**
 * The policy documents a custom authorizer returns for one client, within IoT Core's limits:
 * each document at most 2,048 characters and at most 10 documents per answer. One document of the
 * registered player's policy grows with the channel count (two resources per channel, each with
 * the client id written out) and passes 2,048 characters at about nine channels, so the grants
 * are packed into as many documents as they need; the construct refuses at synthesis a channel
 * set whose worst case (a 128-character client id) would need more than 10.
 */
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import type { ChannelsConfig } from '@webcomm/service';
import { authorizedClientPolicy, type PolicyDocument, type PolicyStatement } from './iot-policies.js';

/** IoT Core: characters per policy document a custom authorizer returns. */
export const MAX_POLICY_DOCUMENT_CHARS = 2_048;
/** IoT Core: policy documents per custom authorizer answer. */
export const MAX_POLICY_DOCUMENTS = 10;

const length = (document: PolicyDocument): number => JSON.stringify(document).length;

/** Packs the (action, resource) grants of `statements` into documents of at most `maxChars` each. */
export function packPolicyDocuments(
  statements: readonly PolicyStatement[],
  maxChars = MAX_POLICY_DOCUMENT_CHARS,
): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  let current: PolicyStatement[] = [];
  const flush = (): void => {
    if (current.length > 0) documents.push({ Version: '2012-10-17', Statement: current });
    current = [];
  };
  for (const statement of statements) {
    for (const resource of [statement.Resource].flat()) {
      // Add the resource to this document's statement of the same action and condition, or a new one.
      const tryAdd = (): PolicyStatement[] => {
        const last = current.at(-1);
        const same =
          last !== undefined &&
          last.Action === statement.Action &&
          JSON.stringify(last.Condition) === JSON.stringify(statement.Condition);
        const grown: PolicyStatement = same
          ? { ...last, Resource: [...[last.Resource].flat(), resource] }
          : { ...statement, Resource: resource };
        return same ? [...current.slice(0, -1), grown] : [...current, grown];
      };
      let next = tryAdd();
      if (length({ Version: '2012-10-17', Statement: next }) > maxChars) {
        flush();
        next = tryAdd();
        if (length({ Version: '2012-10-17', Statement: next }) > maxChars)
          throw new WebcommError(
            ERROR_CODES.INVALID_OPTION,
            `One grant (${String(statement.Action)} on ${resource.slice(0, 80)}…) alone is over IoT's ${maxChars}-character policy document; shorten the project, deployment or channel names.`,
          );
      }
      current = next;
    }
  }
  flush();
  return documents;
}

/**
 * The documents for `clientId`: the registered player's policy with the id written out, split
 * to IoT's limits. Throws `INVALID_OPTION` when they need more than 10 documents.
 */
export function authorizedClientPolicies(config: ChannelsConfig, arn: string, clientId: string): PolicyDocument[] {
  const documents = packPolicyDocuments(authorizedClientPolicy(config, arn, clientId).Statement);
  if (documents.length > MAX_POLICY_DOCUMENTS)
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `The custom authorizer's policy for ${config.channels.length} channels needs ${documents.length} documents of ${MAX_POLICY_DOCUMENT_CHARS} characters; IoT Core accepts ${MAX_POLICY_DOCUMENTS}. Use fewer channels or shorter project, deployment and channel names.`,
    );
  return documents;
}

/** The longest ARN prefix the construct plans for (a GovCloud partition and region). */
export const LONGEST_IOT_ARN = 'arn:aws-us-gov:iot:us-gov-west-1:123456789012';
/** The longest client id the service accepts. */
export const LONGEST_CLIENT_ID = 'x'.repeat(128);

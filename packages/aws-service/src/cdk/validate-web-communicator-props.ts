/**
 * The checks the `WebCommunicator` construct runs on its props before it makes any resource, each
 * failing with a `WebcommError` (`INVALID_OPTION`) that names the prop and the fix.
 */
import { Duration } from 'aws-cdk-lib';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { validateChannelsConfig, type ChannelsConfig } from '@webcomm/service';
import { authorizedClientPolicies, LONGEST_CLIENT_ID, LONGEST_IOT_ARN } from '../authorizer-policies.js';
import type { CustomAuthorizerProps, TopicRuleProps, WebCommunicatorProps } from './web-communicator-props.js';

/** What the construct builds from its validated props. */
export interface ValidatedWebCommunicatorProps {
  /** The channel configuration, validated. */
  readonly config: ChannelsConfig;
  /** The Cognito OpenID token lifetime, in whole seconds (1 to 86,400). */
  readonly openIdTokenSeconds: number;
}

/**
 * Validates the props of the construct `id`.
 * @throws WebcommError `INVALID_OPTION` naming the wrong prop and what to pass instead.
 */
export function validateWebCommunicatorProps(id: string, props: WebCommunicatorProps): ValidatedWebCommunicatorProps {
  let config: ChannelsConfig;
  try {
    config = validateChannelsConfig(props?.channels);
  } catch (error) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `WebCommunicator "${id}": ${(error as Error).message} Pass channels: { project, deployment, channels: [...] }.`,
      { cause: error },
    );
  }
  for (const rule of props.rules ?? []) checkRule(rule);
  const openIdTokenSeconds = (props.openIdTokenLifetime ?? Duration.hours(24)).toSeconds();
  if (!Number.isInteger(openIdTokenSeconds) || openIdTokenSeconds < 1 || openIdTokenSeconds > 86_400)
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `WebCommunicator "${id}": openIdTokenLifetime must be 1 second to 24 hours (Cognito's range), not ${openIdTokenSeconds} s.`,
    );
  if (props.customAuthorizer !== undefined) {
    checkCustomAuthorizer(props.customAuthorizer);
    try {
      // The authorizer's answer for the longest client id must fit IoT's 10 documents of 2,048 characters.
      authorizedClientPolicies(config, LONGEST_IOT_ARN, LONGEST_CLIENT_ID);
    } catch (error) {
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        `WebCommunicator "${id}" customAuthorizer: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return { config, openIdTokenSeconds };
}

function checkRule(rule: TopicRuleProps): void {
  if (typeof rule?.name !== 'string' || !/^[a-zA-Z0-9_]{1,128}$/.test(rule.name)) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `WebCommunicator rules: "${String(rule?.name)}" must be 1-128 letters, digits or "_" (IoT rule names).`,
    );
  }
  if (typeof rule.sql !== 'string' || !/^\s*SELECT\s/i.test(rule.sql))
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `WebCommunicator rules: "${rule.name}".sql must be IoT SQL starting with SELECT.`,
    );
}

function checkCustomAuthorizer(authorizer: unknown): void {
  const props = authorizer as Partial<CustomAuthorizerProps> | null;
  if (
    typeof props !== 'object' ||
    props === null ||
    typeof props.tokenSigningPublicKeyPem !== 'string' ||
    !props.tokenSigningPublicKeyPem.includes('-----BEGIN PUBLIC KEY-----') ||
    props.tokenSigningKey === undefined
  ) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      'WebCommunicator customAuthorizer: token signing is required (an unsigned authorizer lets anyone make IoT invoke, and bill, the function). Pass { tokenSigningPublicKeyPem: "-----BEGIN PUBLIC KEY-----...", tokenSigningKey: Secret.fromSecretNameV2(...) }; docs/deploying-to-aws.md shows how to make the key pair.',
    );
  }
}

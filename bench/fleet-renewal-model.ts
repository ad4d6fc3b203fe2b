/**
 * The fleet's credential renewals against the service's registration throttle, and the custom
 * authorizer's policy against IoT Core's size limit, as pure models beside the herd model.
 *
 * Renewals: a WEBSOCKET client refreshes its Cognito credentials hourly (they last 1 h) and
 * registers again (`POST /register`) when that refresh finds its OpenID token within the client's
 * margin of expiry. So a client registers once per `renewal period`: the first whole hour at or
 * after the token's lifetime less the margin. After an outage of `outageS`, the clients whose
 * token ran out meanwhile (token expiries are spread evenly over the lifetime) all register at
 * once, and the stage's route throttle drains them. Left out on purpose: page reloads (a browser
 * registers at each start) and the per-address limiter, both the same whatever the lifetime.
 *
 * Policy size: the custom authorizer answers with the registered player's policy for the client,
 * every channel's topic written out with its id; IoT accepts at most 10 documents of 2,048
 * characters. The model reports one document's length (the old answer) and the documents the
 * split answer needs, for a 128-character client id on a GovCloud ARN (the longest).
 */
import {
  authorizedClientPolicies,
  authorizedClientPolicy,
  MAX_POLICY_DOCUMENT_CHARS,
  MAX_POLICY_DOCUMENTS,
} from '@webcomm/aws-service';
import type { ChannelsConfig } from '@webcomm/service';

/** Cognito credentials last one hour; the client refreshes them then. */
export const CREDENTIALS_LIFETIME_S = 3_600;
/** How early before expiry the client treats its OpenID token as spent (packages/aws, OPENID_MARGIN_MS). */
export const CLIENT_MARGIN_S = 60;
/** `POST /register` on the deployed stage: a tenth of the default 50 requests/s. */
export const REGISTER_RATE_PER_S = 5;

/** Inputs of {@link renewalModel}. */
export interface RenewalModelOptions {
  readonly clients: number;
  /** The OpenID token's lifetime (Cognito: 900 s by default, at most 86,400 s). */
  readonly tokenLifetimeS: number;
  /** @default REGISTER_RATE_PER_S */
  readonly registerRatePerS?: number;
  /** How long the fleet could not renew (service or network down). @default 3,600 */
  readonly outageS?: number;
}

/** What one renewal model run gives. */
export interface RenewalModelResult {
  readonly clients: number;
  readonly tokenLifetimeS: number;
  /** Seconds between two registrations of one client in steady state. */
  readonly renewalPeriodS: number;
  /** Registrations per second the fleet sends in steady state. */
  readonly steadyRegistrationsPerS: number;
  /** Steady registrations over the throttle (> 1: the fleet cannot keep up). */
  readonly steadyLoad: number;
  /** Clients that must register at once after the outage. */
  readonly outageBacklog: number;
  /** Seconds the throttle needs to let that backlog through. */
  readonly outageDrainS: number;
}

/** Runs the renewal model. */
export function renewalModel(options: RenewalModelOptions): RenewalModelResult {
  const { clients, tokenLifetimeS } = options;
  const rate = options.registerRatePerS ?? REGISTER_RATE_PER_S;
  const outageS = options.outageS ?? 3_600;
  // The refresh that finds the token spent is the first hourly one at or after lifetime - margin.
  const renewalPeriodS =
    Math.max(1, Math.ceil((tokenLifetimeS - CLIENT_MARGIN_S) / CREDENTIALS_LIFETIME_S)) * CREDENTIALS_LIFETIME_S;
  const steadyRegistrationsPerS = clients / renewalPeriodS;
  const outageBacklog = Math.ceil(clients * Math.min(1, outageS / renewalPeriodS));
  return {
    clients,
    tokenLifetimeS,
    renewalPeriodS,
    steadyRegistrationsPerS,
    steadyLoad: steadyRegistrationsPerS / rate,
    outageBacklog,
    outageDrainS: outageBacklog / rate,
  };
}

/** The longest ARN prefix and client id the construct plans for. */
const ARN = 'arn:aws-us-gov:iot:us-gov-west-1:123456789012';
const CLIENT_ID = 'x'.repeat(128);

/** Channels named like a game's (`mygame/production/...`), half of them private. */
export function sampleChannels(count: number): ChannelsConfig {
  return {
    project: 'mygame',
    deployment: 'production',
    channels: Array.from({ length: count }, (_, i) => ({
      name: `channel-${String(i).padStart(2, '0')}`,
      type: i % 2 === 0 ? ('broadcast' as const) : ('private' as const),
      clientPublish: false,
    })),
  };
}

/** One row of the policy-size model. */
export interface PolicySizeRow {
  readonly channels: number;
  /** Characters of the single document the authorizer answered with before the split. */
  readonly singleDocumentChars: number;
  /** Documents the split answer needs (Infinity: over IoT's 10, refused at synthesis). */
  readonly documents: number;
  /** Characters of the split answer's largest document. */
  readonly largestDocumentChars: number;
}

/** The authorizer's answer for `channels` channels. */
export function policySize(channels: number): PolicySizeRow {
  const config = sampleChannels(channels);
  const singleDocumentChars = JSON.stringify(authorizedClientPolicy(config, ARN, CLIENT_ID)).length;
  try {
    const documents = authorizedClientPolicies(config, ARN, CLIENT_ID).map((d) => JSON.stringify(d).length);
    return { channels, singleDocumentChars, documents: documents.length, largestDocumentChars: Math.max(...documents) };
  } catch {
    return { channels, singleDocumentChars, documents: Infinity, largestDocumentChars: Number.NaN };
  }
}

/** The most channels one document held (old answer) and the split answer holds. */
export function channelLimits(): { singleDocument: number; split: number } {
  let singleDocument = 0;
  let split = 0;
  for (let channels = 1; channels <= 200; channels++) {
    const row = policySize(channels);
    if (row.singleDocumentChars <= MAX_POLICY_DOCUMENT_CHARS) singleDocument = channels;
    if (row.documents <= MAX_POLICY_DOCUMENTS) split = channels;
  }
  return { singleDocument, split };
}

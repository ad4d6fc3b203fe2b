/**
 * Identities on a Cognito identity pool with a developer provider. A new WEBSOCKET client gets a
 * developer-authenticated identity (`GetOpenIdTokenForDeveloperIdentity` with a fresh developer
 * user id), and its client id is that identity id, which the player policy's
 * `${cognito-identity.amazonaws.com:sub}` names. The player IoT policy is attached to the identity
 * (authenticated identities need it besides their role); a ban detaches it, an unban attaches it.
 */
import { randomUUID } from 'node:crypto';
import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import {
  DescribeIdentityCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  LookupDeveloperIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import { AttachPolicyCommand, DetachPolicyCommand, type IoTClient } from '@aws-sdk/client-iot';
import { HttpProblem, type IdentityPort, type IdentityToken } from '@webcomm/service';

/** Settings of {@link CognitoIdentityPort}. */
export interface CognitoIdentitySettings {
  readonly identityPoolId: string;
  readonly region: string;
  /** The pool's developer provider name (`DeveloperProviderName`). */
  readonly developerProvider: string;
  /** The IoT policy attached to each registered identity. */
  readonly playerPolicy: string;
  /** Lifetime of the OpenID tokens (`TokenDuration`, 1-86,400 s). @default 900 (Cognito's default) */
  readonly openIdTokenSeconds?: number;
}

/** `IdentityPort` over Cognito and IoT `AttachPolicy` / `DetachPolicy`. */
export class CognitoIdentityPort implements IdentityPort {
  readonly identityPoolId: string;
  readonly region: string;
  readonly #cognito: CognitoIdentityClient;
  readonly #iot: IoTClient;
  readonly #settings: CognitoIdentitySettings;

  constructor(cognito: CognitoIdentityClient, iot: IoTClient, settings: CognitoIdentitySettings) {
    this.#cognito = cognito;
    this.#iot = iot;
    this.#settings = settings;
    this.identityPoolId = settings.identityPoolId;
    this.region = settings.region;
  }

  async allocateClientId(): Promise<string> {
    const answer = await this.#cognito.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: this.identityPoolId,
        Logins: { [this.#settings.developerProvider]: randomUUID() },
      }),
    );
    if (answer.IdentityId === undefined) throw new Error('Cognito returned no IdentityId');
    return answer.IdentityId;
  }

  async ensureIdentity(clientId: string): Promise<string> {
    if (!(await this.hasIdentity(clientId))) {
      throw new HttpProblem(
        400,
        'BAD_REQUEST',
        `Client id "${clientId}" is no identity of this pool; omit clientId on the first registration (Cognito assigns the id).`,
      );
    }
    await this.restoreIdentity(clientId);
    return clientId;
  }

  async hasIdentity(identityId: string): Promise<boolean> {
    try {
      await this.#cognito.send(new DescribeIdentityCommand({ IdentityId: identityId }));
      return true;
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  async openIdToken(identityId: string): Promise<IdentityToken> {
    const lookup = await this.#cognito.send(
      new LookupDeveloperIdentityCommand({
        IdentityPoolId: this.identityPoolId,
        IdentityId: identityId,
        MaxResults: 1,
      }),
    );
    const developerUser = lookup.DeveloperUserIdentifierList?.[0];
    if (developerUser === undefined)
      throw new HttpProblem(
        403,
        'IDENTITY_TAKEN',
        `Identity "${identityId}" is not a registered client's; omit clientId for a new one.`,
      );
    const seconds = this.#settings.openIdTokenSeconds ?? 900;
    const issuedAt = Date.now();
    const answer = await this.#cognito.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: this.identityPoolId,
        IdentityId: identityId,
        Logins: { [this.#settings.developerProvider]: developerUser },
        TokenDuration: seconds,
      }),
    );
    return { token: answer.Token ?? '', expiresAt: new Date(issuedAt + seconds * 1000) };
  }

  async revokeIdentity(clientId: string): Promise<void> {
    await this.#iot.send(new DetachPolicyCommand({ policyName: this.#settings.playerPolicy, target: clientId }));
  }

  async restoreIdentity(clientId: string): Promise<void> {
    await this.#iot.send(new AttachPolicyCommand({ policyName: this.#settings.playerPolicy, target: clientId }));
  }
}

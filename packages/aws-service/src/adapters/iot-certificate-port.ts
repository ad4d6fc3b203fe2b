/**
 * Device certificates on AWS IoT (OPENSSL clients: dedicated servers, tools). Registration
 * creates a key pair and an ACTIVE certificate (`CreateKeysAndCertificate`), a thing named after
 * the client id with the certificate attached (the device policy's client id is
 * `${iot:Connection.Thing.ThingName}`), and attaches the device policy and the tool policy of
 * each channel the client is granted to publish on. A client renewing its certificate gets
 * another one on the same thing, so the thing's principals (`ListThingPrincipals`) are every
 * certificate of the client: a ban sets each INACTIVE (`UpdateCertificate`) and detaches the
 * device policy from it; an unban restores both. The private key is returned once and never stored.
 */
import { X509Certificate } from 'node:crypto';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DetachPolicyCommand,
  ListThingPrincipalsCommand,
  UpdateCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { CertificatePort, ClientCertificate } from '@webcomm/service';

/** The IoT policies of certificate clients. */
export interface CertificatePolicies {
  /** The device policy, attached to every certificate. */
  readonly devicePolicy: string;
  /** Tool policy name per `trustedPublish` channel (the construct's `policyNames.tools`). @default none */
  readonly toolPolicies?: Readonly<Record<string, string>>;
  /** The channels the client is granted direct broker publish on (its user record). @default none */
  readonly grantsOf?: (clientId: string) => Promise<readonly string[]>;
}

/** Where a client's certificates are found: every certificate attached to its thing. */
export interface ClientCertificates {
  /** ARNs of every certificate issued to `clientId` (none when it has no thing). */
  certificateArns(clientId: string): Promise<string[]>;
}

const isNotFound = (error: unknown): boolean => (error as { name?: unknown })?.name === 'ResourceNotFoundException';

/** `CertificatePort` over AWS IoT. */
export class IotCertificatePort implements CertificatePort, ClientCertificates {
  readonly #iot: IoTClient;
  readonly #policies: CertificatePolicies;

  constructor(iot: IoTClient, policies: CertificatePolicies) {
    this.#iot = iot;
    this.#policies = policies;
  }

  async issueClientCertificate(clientId: string): Promise<ClientCertificate> {
    const created = await this.#iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const arn = created.certificateArn ?? '';
    try {
      await this.#iot.send(new CreateThingCommand({ thingName: clientId }));
    } catch (error) {
      if ((error as { name?: unknown })?.name !== 'ResourceAlreadyExistsException') throw error;
    }
    await this.#iot.send(new AttachThingPrincipalCommand({ thingName: clientId, principal: arn }));
    // Grants given before the certificate existed (registration with `publish`) hold from its first connect.
    for (const policyName of await this.#policiesFor(clientId))
      await this.#iot.send(new AttachPolicyCommand({ policyName, target: arn }));
    const certificatePem = created.certificatePem ?? '';
    return {
      certificatePem,
      privateKeyPem: created.keyPair?.PrivateKey ?? '',
      expiresAt: new Date(new X509Certificate(certificatePem).validTo),
    };
  }

  async certificateArns(clientId: string): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await this.#iot.send(new ListThingPrincipalsCommand({ thingName: clientId, nextToken }));
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
      arns.push(...(page.principals ?? []).filter((principal) => principal.includes(':cert/')));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return arns;
  }

  async revokeClient(clientId: string): Promise<void> {
    for (const arn of await this.certificateArns(clientId)) {
      await this.#iot.send(new UpdateCertificateCommand({ certificateId: certificateId(arn), newStatus: 'INACTIVE' }));
      await this.#iot.send(new DetachPolicyCommand({ policyName: this.#policies.devicePolicy, target: arn }));
    }
  }

  async restoreClient(clientId: string): Promise<void> {
    for (const arn of await this.certificateArns(clientId)) {
      await this.#iot.send(new UpdateCertificateCommand({ certificateId: certificateId(arn), newStatus: 'ACTIVE' }));
      await this.#iot.send(new AttachPolicyCommand({ policyName: this.#policies.devicePolicy, target: arn }));
    }
  }

  /** The policies a new certificate of `clientId` gets: the device policy and its grants' tool policies. */
  async #policiesFor(clientId: string): Promise<string[]> {
    const grants = (await this.#policies.grantsOf?.(clientId)) ?? [];
    const tools = grants.flatMap((channel) => this.#policies.toolPolicies?.[channel] ?? []);
    return [this.#policies.devicePolicy, ...tools];
  }
}

/** `arn:aws:iot:REGION:ACCOUNT:cert/ID` → `ID`. */
function certificateId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

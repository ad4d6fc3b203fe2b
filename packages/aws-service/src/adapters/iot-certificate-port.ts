/**
 * Device certificates on AWS IoT (OPENSSL clients: dedicated servers, tools). Registration
 * creates a key pair and an ACTIVE certificate (`CreateKeysAndCertificate`), a thing named after
 * the client id with the certificate attached (the device policy's client id is
 * `${iot:Connection.Thing.ThingName}`), and attaches the device policy and the tool policy of
 * each channel the client is granted to publish on. A ban sets the
 * certificate INACTIVE (`UpdateCertificate`) and detaches the policy; an unban restores both.
 * The private key is returned once and never stored.
 */
import { X509Certificate } from 'node:crypto';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DetachPolicyCommand,
  UpdateCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { CertificatePort, ClientCertificate } from '@webcomm/service';

/** Where the certificate ARN of each client is kept (the user table). */
export interface CertificateArnStore {
  certificateArn(clientId: string): Promise<string | undefined>;
  setCertificateArn(clientId: string, arn: string): Promise<void>;
}

/** The IoT policies of certificate clients. */
export interface CertificatePolicies {
  /** The device policy, attached to every certificate. */
  readonly devicePolicy: string;
  /** Tool policy name per `trustedPublish` channel (the construct's `policyNames.tools`). @default none */
  readonly toolPolicies?: Readonly<Record<string, string>>;
  /** The channels the client is granted direct broker publish on (its user record). @default none */
  readonly grantsOf?: (clientId: string) => Promise<readonly string[]>;
}

/** `CertificatePort` over AWS IoT. */
export class IotCertificatePort implements CertificatePort {
  readonly #iot: IoTClient;
  readonly #arns: CertificateArnStore;
  readonly #devicePolicy: string;
  readonly #policies: CertificatePolicies;

  constructor(iot: IoTClient, arns: CertificateArnStore, policies: CertificatePolicies) {
    this.#iot = iot;
    this.#arns = arns;
    this.#devicePolicy = policies.devicePolicy;
    this.#policies = policies;
  }

  /** The policies a new certificate of `clientId` gets: the device policy and its grants' tool policies. */
  async #policiesFor(clientId: string): Promise<string[]> {
    const grants = (await this.#policies.grantsOf?.(clientId)) ?? [];
    const tools = grants.flatMap((channel) => this.#policies.toolPolicies?.[channel] ?? []);
    return [this.#devicePolicy, ...tools];
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
    await this.#arns.setCertificateArn(clientId, arn);
    const certificatePem = created.certificatePem ?? '';
    return {
      certificatePem,
      privateKeyPem: created.keyPair?.PrivateKey ?? '',
      expiresAt: new Date(new X509Certificate(certificatePem).validTo),
    };
  }

  async revokeClient(clientId: string): Promise<void> {
    const arn = await this.#arns.certificateArn(clientId);
    if (arn === undefined) return;
    await this.#iot.send(new UpdateCertificateCommand({ certificateId: certificateId(arn), newStatus: 'INACTIVE' }));
    await this.#iot.send(new DetachPolicyCommand({ policyName: this.#devicePolicy, target: arn }));
  }

  async restoreClient(clientId: string): Promise<void> {
    const arn = await this.#arns.certificateArn(clientId);
    if (arn === undefined) return;
    await this.#iot.send(new UpdateCertificateCommand({ certificateId: certificateId(arn), newStatus: 'ACTIVE' }));
    await this.#iot.send(new AttachPolicyCommand({ policyName: this.#devicePolicy, target: arn }));
  }
}

/** `arn:aws:iot:REGION:ACCOUNT:cert/ID` → `ID`. */
function certificateId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

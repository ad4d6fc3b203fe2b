/**
 * Device certificates on AWS IoT (OPENSSL clients: dedicated servers, tools). Registration
 * creates a key pair and an ACTIVE certificate (`CreateKeysAndCertificate`), a thing named after
 * the client id with the certificate attached (the device policy's client id is
 * `${iot:Connection.Thing.ThingName}`), and attaches the device policy. A ban sets the
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

/** `CertificatePort` over AWS IoT. */
export class IotCertificatePort implements CertificatePort {
  readonly #iot: IoTClient;
  readonly #arns: CertificateArnStore;
  readonly #devicePolicy: string;

  constructor(iot: IoTClient, arns: CertificateArnStore, devicePolicy: string) {
    this.#iot = iot;
    this.#arns = arns;
    this.#devicePolicy = devicePolicy;
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
    await this.#iot.send(new AttachPolicyCommand({ policyName: this.#devicePolicy, target: arn }));
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

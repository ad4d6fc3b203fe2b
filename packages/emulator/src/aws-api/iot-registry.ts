/**
 * The IoT registry behind the emulated control plane: certificates (issued by a CA made at
 * start, id = SHA-256 of the DER as on AWS), things and their principals, and which IoT policy
 * is attached to which target (a certificate ARN or a Cognito identity id). In memory: a
 * registry lives as long as its emulated APIs.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API loaded before it.
import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AwsApiError } from './aws-api-error.js';

const crypto = webcrypto as unknown as Crypto;
const KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A registered certificate. */
export interface IotCertificate {
  readonly id: string;
  readonly arn: string;
  readonly pem: string;
  status: 'ACTIVE' | 'INACTIVE' | 'REVOKED';
  readonly createdAt: Date;
}

const COGNITO_IDENTITY = /^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f-]{36}$/;

async function pemOfKey(key: CryptoKey, kind: 'pkcs8' | 'spki'): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey(kind, key)).toString('base64');
  const label = kind === 'pkcs8' ? 'PRIVATE KEY' : 'PUBLIC KEY';
  return `-----BEGIN ${label}-----\n${der.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END ${label}-----\n`;
}

/** Certificates, things and policy attachments of one account and region. */
export class IotRegistry {
  readonly certificates = new Map<string, IotCertificate>();
  /** Thing name → certificate ARNs attached to it. */
  readonly things = new Map<string, Set<string>>();
  /** Policy name → targets (certificate ARNs, Cognito identity ids). */
  readonly attachments = new Map<string, Set<string>>();
  readonly #arn: string;
  readonly #policies: ReadonlySet<string>;
  #ca: Promise<{ cert: x509.X509Certificate; key: CryptoKey }> | undefined;

  /** `iotArn` is `arn:PARTITION:iot:REGION:ACCOUNT`; `policyNames` the IoT policies that exist (the template's). */
  constructor(iotArn: string, policyNames: Iterable<string>) {
    this.#arn = iotArn;
    this.#policies = new Set(policyNames);
  }

  /** `CreateKeysAndCertificate`: a key pair and a certificate for it. */
  async createKeysAndCertificate(
    active: boolean,
  ): Promise<{ certificate: IotCertificate; publicKeyPem: string; privateKeyPem: string }> {
    const ca = await (this.#ca ??= this.#createCa());
    const keys = await crypto.subtle.generateKey(KEY, true, ['sign', 'verify']);
    const issued = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomBytes(16)
          .toString('hex')
          .replace(/^[89a-f]/, '1'),
        subject: 'CN=AWS IoT Certificate',
        issuer: ca.cert.subject,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 365 * 30 * DAY_MS),
        signingAlgorithm: SIGNING,
        publicKey: keys.publicKey,
        signingKey: ca.key,
        extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
      },
      crypto,
    );
    const id = createHash('sha256').update(Buffer.from(issued.rawData)).digest('hex');
    const certificate: IotCertificate = {
      id,
      arn: `${this.#arn}:cert/${id}`,
      pem: issued.toString('pem'),
      status: active ? 'ACTIVE' : 'INACTIVE',
      createdAt: new Date(),
    };
    this.certificates.set(id, certificate);
    return {
      certificate,
      publicKeyPem: await pemOfKey(keys.publicKey, 'spki'),
      privateKeyPem: await pemOfKey(keys.privateKey, 'pkcs8'),
    };
  }

  /** The certificate of `id`, or AWS's ResourceNotFoundException. */
  certificate(id: string): IotCertificate {
    const certificate = this.certificates.get(id);
    if (certificate === undefined)
      throw new AwsApiError('ResourceNotFoundException', 404, `The certificate ${id} does not exist.`);
    return certificate;
  }

  /** The certificate a `cert/ID` ARN names, or undefined when `arn` is not one of this account's certificate ARNs. */
  certificateOfArn(arn: string): IotCertificate | undefined {
    if (!arn.startsWith(`${this.#arn}:cert/`)) return undefined;
    return this.certificate(arn.slice(arn.lastIndexOf('/') + 1));
  }

  /** The thing's principals, or ResourceNotFoundException. */
  thing(name: string): Set<string> {
    const principals = this.things.get(name);
    if (principals === undefined)
      throw new AwsApiError('ResourceNotFoundException', 404, `Thing ${name} cannot be found.`);
    return principals;
  }

  createThing(name: string): string {
    if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(name))
      throw new AwsApiError(
        'InvalidRequestException',
        400,
        `Thing name "${name.slice(0, 64)}" must match [a-zA-Z0-9:_-]{1,128}.`,
      );
    if (this.things.has(name))
      throw new AwsApiError(
        'ResourceAlreadyExistsException',
        409,
        `Thing ${name} already exists in account with different attributes`,
      );
    this.things.set(name, new Set());
    return `${this.#arn}:thing/${name}`;
  }

  /**
   * A policy's target, checked as AWS checks it: a certificate of this account or a Cognito
   * identity id; anything else is InvalidRequestException.
   */
  #target(target: string): string {
    if (this.certificateOfArn(target) !== undefined || COGNITO_IDENTITY.test(target)) return target;
    throw new AwsApiError(
      'InvalidRequestException',
      400,
      `Invalid target "${target.slice(0, 128)}": a certificate ARN, thing group ARN or Cognito identity id.`,
    );
  }

  #policy(name: string): Set<string> {
    if (!this.#policies.has(name))
      throw new AwsApiError('ResourceNotFoundException', 404, `Policy ${name} does not exist.`);
    let targets = this.attachments.get(name);
    if (targets === undefined) this.attachments.set(name, (targets = new Set()));
    return targets;
  }

  attachPolicy(name: string, target: string): void {
    this.#policy(name).add(this.#target(target));
  }

  detachPolicy(name: string, target: string): void {
    this.#policy(name).delete(this.#target(target));
  }

  /** Policy names attached to `target`. */
  attachedPolicies(target: string): string[] {
    return [...this.attachments].filter(([, targets]) => targets.has(target)).map(([name]) => name);
  }

  async #createCa(): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
    const keys = await crypto.subtle.generateKey(KEY, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: '01',
        name: 'CN=webcomm emulated AWS IoT CA',
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 3650 * DAY_MS),
        signingAlgorithm: SIGNING,
        keys,
        extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
      },
      crypto,
    );
    return { cert, key: keys.privateKey };
  }
}

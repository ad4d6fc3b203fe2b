/**
 * Connection material for tests that need an authenticated client with the service's default
 * policy: a client certificate from the emulator's CA (the operator path), used over `mqtts`.
 */
import type { IClientOptions } from 'mqtt';
import type { IssuedCertificate } from '../src/service/contracts.js';
import type { RunningEmulator } from '../src/start-emulator.js';

/** Where and how to connect as one certificate-holding client. */
export interface CertificateLogin {
  readonly url: string;
  /** MQTT.js options: client id, certificate, key and the CA to trust. */
  readonly options: IClientOptions;
  readonly certificate: IssuedCertificate;
}

/** Issues a certificate for `clientId` and returns the options that connect with it. */
export async function certificateLogin(emulator: RunningEmulator, clientId: string): Promise<CertificateLogin> {
  const certificate = await emulator.ca.issueClientCertificate(clientId);
  return {
    url: emulator.endpoints.mqtts,
    options: { clientId, cert: certificate.certificatePem, key: certificate.privateKeyPem, ca: emulator.caPem },
    certificate,
  };
}

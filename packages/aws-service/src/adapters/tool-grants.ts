/**
 * Trusted-tool grants on AWS. The emulator decides a tool's broker publish per CONNECT from the
 * user record; on IoT Core a grant is a policy on the tool's certificate. This wraps the user
 * table so `setBrokerPublish` (the admin API's `PUT /admin/users/:id/publish`, or registration
 * with `publish`) also attaches the tool policy of each granted channel to every certificate of
 * the client (a renewed one too) and detaches those no longer granted; the route then drops the
 * live connection, and the reconnect carries the new policy. A certificate issued later gets the
 * granted policies when it is issued (iot-certificate-port.ts).
 */
import { AttachPolicyCommand, DetachPolicyCommand, type IoTClient } from '@aws-sdk/client-iot';
import type { UserRecord } from '@webcomm/core/internal';
import type { UserStore } from '@webcomm/service';
import type { ClientCertificates } from './iot-certificate-port.js';

/** `UserStore` whose grants are also IoT policy attachments. */
export class ToolGrantingUsers implements UserStore {
  readonly #users: UserStore;
  readonly #iot: IoTClient;
  readonly #toolPolicies: Readonly<Record<string, string>>;
  readonly #certificates: ClientCertificates;

  /** `toolPolicies` maps each `trustedPublish` channel to its tool policy name (the construct's `policyNames.tools`). */
  constructor(
    users: UserStore,
    iot: IoTClient,
    toolPolicies: Readonly<Record<string, string>>,
    certificates: ClientCertificates,
  ) {
    this.#users = users;
    this.#iot = iot;
    this.#toolPolicies = toolPolicies;
    this.#certificates = certificates;
  }

  get(id: string): Promise<UserRecord | undefined> {
    return this.#users.get(id);
  }

  ensure(id: string, kind: UserRecord['kind']): Promise<UserRecord> {
    return this.#users.ensure(id, kind);
  }

  list(): Promise<UserRecord[]> {
    return this.#users.list();
  }

  setStatus(id: string, status: UserRecord['status']): Promise<UserRecord> {
    return this.#users.setStatus(id, status);
  }

  async setBrokerPublish(id: string, channels: readonly string[]): Promise<UserRecord> {
    const before = new Set((await this.#users.get(id))?.brokerPublish ?? []);
    const after = new Set(channels);
    for (const arn of await this.#certificates.certificateArns(id)) {
      for (const channel of after) {
        const policyName = this.#toolPolicies[channel];
        if (policyName !== undefined && !before.has(channel))
          await this.#iot.send(new AttachPolicyCommand({ policyName, target: arn }));
      }
      for (const channel of before) {
        const policyName = this.#toolPolicies[channel];
        if (policyName !== undefined && !after.has(channel))
          await this.#iot.send(new DetachPolicyCommand({ policyName, target: arn }));
      }
    }
    return this.#users.setBrokerPublish(id, channels);
  }
}

/**
 * The service on its AWS adapters, offline, as the WebCommunicator template deploys it: every
 * AWS call the adapters make goes through the real SDK v3 to the emulated AWS APIs and is
 * evaluated against the service role synthesized by the construct (aws-stack.ts). One test per
 * defect of issue 26 that only running the adapters can show.
 */
import { ListAttachedPoliciesCommand, ListThingPrincipalsCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsStack, type AwsStack } from './aws-stack.js';

let stack: AwsStack;

beforeAll(async () => {
  stack = await startAwsStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const attached = async (target: string): Promise<string[]> =>
  ((await stack.operatorIot.send(new ListAttachedPoliciesCommand({ target }))).policies ?? [])
    .map((policy) => policy.policyName ?? '')
    .sort();

/** The certificate ARNs attached to the client's thing (every certificate it was issued). */
const certificatesOf = async (clientId: string): Promise<string[]> =>
  ((await stack.operatorIot.send(new ListThingPrincipalsCommand({ thingName: clientId }))).principals ?? []).sort();

describe('the service on the emulated AWS APIs, IAM evaluated against the synthesized role', () => {
  it('a client registers itself as WEBSOCKET: Cognito assigns its id, the player policy is attached (#26, 3)', async () => {
    const answer = await stack.register({ type: 'WEBSOCKET' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const clientId = String(answer.body.clientId);
    expect(clientId).toMatch(/^eu-west-1:[0-9a-f-]{36}$/);
    expect(answer.body.identityId).toBe(clientId);
    expect(String(answer.body.openIdToken).split('.')).toHaveLength(3);
    expect(await attached(clientId)).toEqual([stack.policies.player]);
    // Renewing with the service token keeps the id.
    const again = await stack.register({ type: 'WEBSOCKET', clientId }, String(answer.body.serviceToken));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.clientId).toBe(clientId);
  });

  it('a publish grant given at registration attaches the tool policy to the certificate (#26, 4)', async () => {
    const answer = await stack.admin('POST', '/admin/register', {
      type: 'OPENSSL',
      clientId: 'tool-4',
      publish: ['tools'],
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.brokerPublish).toEqual(['tools']);
    const [certificate] = await certificatesOf('tool-4');
    expect(await attached(String(certificate))).toEqual([stack.policies.device, stack.policies.tools.tools].sort());
  });
});

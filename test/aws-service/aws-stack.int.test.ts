/**
 * The service on its AWS adapters, offline, as the WebCommunicator template deploys it: every
 * AWS call the adapters make goes through the real SDK v3 to the emulated AWS APIs and is
 * evaluated against the service role synthesized by the construct (aws-stack.ts). One test per
 * defect of issue 26 that only running the adapters can show.
 */
import {
  DescribeCertificateCommand,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
} from '@aws-sdk/client-iot';
import { verify } from 'node:crypto';
import { customAuthorizerUrl } from '@webcomm/aws';
import { AUTHORIZER_TOKEN_KEY } from '@webcomm/aws-service/cdk';
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

const statusOf = async (arn: string): Promise<string | undefined> =>
  (await stack.operatorIot.send(new DescribeCertificateCommand({ certificateId: arn.slice(arn.lastIndexOf('/') + 1) })))
    .certificateDescription?.status;

/** The service role's policies without `action` (a grant removed from the synthesized role). */
const without = (action: string): AwsStack['servicePolicies'] =>
  stack.servicePolicies.map((policy) => ({
    ...policy,
    Statement: policy.Statement.map((statement) => ({
      ...statement,
      Action: statement.Action.filter((a) => a !== action),
    })).filter((statement) => statement.Action.length > 0),
  }));

/** The operator registers a certificate client; its owner then renews it once with its service token. */
async function certificateClientWithRenewal(clientId: string, publish?: string[]): Promise<string[]> {
  const first = await stack.admin('POST', '/admin/register', {
    type: 'OPENSSL',
    clientId,
    ...(publish === undefined ? {} : { publish }),
  });
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const renewed = await stack.register({ type: 'OPENSSL', clientId }, String(first.body.serviceToken));
  expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
  const certificates = await certificatesOf(clientId);
  expect(certificates).toHaveLength(2);
  return certificates;
}

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

  it('banning a certificate client revokes its certificates only; a refused AWS call leaves it banned, and repeating the ban finishes it (#26, 6)', async () => {
    const registered = await stack.admin('POST', '/admin/register', { type: 'OPENSSL', clientId: 'dev-6' });
    expect(registered.status).toBe(200);
    const ban = await stack.admin('PUT', '/admin/users/dev-6/status', { status: 'banned' });
    expect(ban.status, JSON.stringify(ban.body)).toBe(200);
    expect(ban.body.user).toMatchObject({ id: 'dev-6', status: 'banned' });
    for (const arn of await certificatesOf('dev-6')) expect(await statusOf(arn)).toBe('INACTIVE');

    const victim = await stack.admin('POST', '/admin/register', { type: 'OPENSSL', clientId: 'dev-6b' });
    const [certificate = ''] = await certificatesOf('dev-6b');
    stack.service.policies = without('iot:UpdateCertificate');
    try {
      const refused = await stack.admin('PUT', '/admin/users/dev-6b/status', { status: 'banned' });
      expect(refused.status).toBe(502);
      expect(refused.body).toMatchObject({
        error: {
          code: 'BAN_INCOMPLETE',
          message: expect.stringContaining(`iot:UpdateCertificate on resource: ${certificate}`),
        },
      });
      // Half a ban is still a ban: the client is refused by the service while the operator repeats it.
      expect((await stack.admin('GET', '/admin/users/dev-6b')).body.user).toMatchObject({ status: 'banned' });
      const registration = await stack.register(
        { type: 'OPENSSL', clientId: 'dev-6b' },
        String(victim.body.serviceToken),
      );
      expect(registration).toMatchObject({ status: 403, body: { error: { code: 'BANNED' } } });
      expect(await statusOf(certificate)).toBe('ACTIVE');
    } finally {
      stack.service.policies = stack.servicePolicies;
    }
    const repeated = await stack.admin('PUT', '/admin/users/dev-6b/status', { status: 'banned' });
    expect(repeated.status, JSON.stringify(repeated.body)).toBe(200);
    expect(await statusOf(certificate)).toBe('INACTIVE');
  });
  it('a ban acts on every certificate of the client, a renewed one included; unban restores them (#26, 5)', async () => {
    const certificates = await certificateClientWithRenewal('dev-5');
    const ban = await stack.admin('PUT', '/admin/users/dev-5/status', { status: 'banned' });
    expect(ban.status, JSON.stringify(ban.body)).toBe(200);
    for (const arn of certificates) {
      expect(await statusOf(arn)).toBe('INACTIVE');
      expect(await attached(arn)).toEqual([]);
    }
    const unban = await stack.admin('PUT', '/admin/users/dev-5/status', { status: 'active' });
    expect(unban.status, JSON.stringify(unban.body)).toBe(200);
    for (const arn of certificates) {
      expect(await statusOf(arn)).toBe('ACTIVE');
      expect(await attached(arn)).toEqual([stack.policies.device]);
    }
  });

  it('revoking a publish grant detaches the tool policy from every certificate of the client (#26, 5)', async () => {
    const certificates = await certificateClientWithRenewal('tool-5', ['tools']);
    for (const arn of certificates)
      expect(await attached(arn)).toEqual([stack.policies.device, stack.policies.tools.tools].sort());
    const revoke = await stack.admin('PUT', '/admin/users/tool-5/publish', { channels: [] });
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(200);
    for (const arn of certificates) expect(await attached(arn)).toEqual([stack.policies.device]);
  });

  it('the service signs each token it issues; the client sends the signature IoT verifies before invoking the authorizer (#26, 9)', async () => {
    const answer = await stack.register({ type: 'WEBSOCKET' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const token = String(answer.body.serviceToken);
    const signature = String(answer.body.serviceTokenSignature);
    // What IoT does with signing on: RSA-SHA256 over the token, with the authorizer's public key.
    const verifies = (text: string): boolean =>
      verify('sha256', Buffer.from(text), stack.tokenSigningPublicKeyPem, Buffer.from(signature, 'base64'));
    expect(verifies(token)).toBe(true);
    expect(verifies(`${token}x`)).toBe(false);
    const url = new URL(
      customAuthorizerUrl('wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt', {
        authorizerName: 'webcomm-local-token',
        token: { tokenKeyName: AUTHORIZER_TOKEN_KEY, token, signature },
      }),
    );
    expect(url.searchParams.get('x-amz-customauthorizer-signature')).toBe(signature);
    expect(url.searchParams.get(AUTHORIZER_TOKEN_KEY)).toBe(token);
  });

  it('a WEBSOCKET client renews its credentials for 24 hours without registering again (#26, 10)', async () => {
    const before = Date.now();
    const answer = await stack.register({ type: 'WEBSOCKET' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const expiresAt = Date.parse(String(answer.body.openIdTokenExpiresAt));
    // Cognito's longest developer token: the client re-registers about daily, not at every hourly credentials refresh.
    expect(expiresAt - before).toBeGreaterThanOrEqual(24 * 3_600_000 - 60_000);
    const claims = JSON.parse(
      Buffer.from(String(answer.body.openIdToken).split('.')[1] ?? '', 'base64url').toString(),
    ) as {
      exp: number;
    };
    expect(Math.abs(claims.exp * 1000 - expiresAt)).toBeLessThan(5_000);
  });

  it('banning a WEBSOCKET client detaches the player policy from its identity only; unban attaches it again', async () => {
    const answer = await stack.register({ type: 'WEBSOCKET' });
    const clientId = String(answer.body.clientId);
    expect(await attached(clientId)).toEqual([stack.policies.player]);
    const ban = await stack.admin('PUT', `/admin/users/${encodeURIComponent(clientId)}/status`, { status: 'banned' });
    expect(ban.status, JSON.stringify(ban.body)).toBe(200);
    expect(await attached(clientId)).toEqual([]);
    const unban = await stack.admin('PUT', `/admin/users/${encodeURIComponent(clientId)}/status`, { status: 'active' });
    expect(unban.status, JSON.stringify(unban.body)).toBe(200);
    expect(await attached(clientId)).toEqual([stack.policies.player]);
    const listed = await stack.admin('GET', `/admin/users?search=${encodeURIComponent(clientId)}`);
    expect(listed.body).toMatchObject({ total: 1 });
  });

  it('the operator publishes on a retained channel (iot:Publish and iot:RetainPublish) and kicks a client; without RetainPublish the publish is denied', async () => {
    const published = await stack.admin('POST', '/admin/publish', { channel: 'content-updates', message: { v: 1 } });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const kick = await stack.admin('DELETE', '/admin/connections/nobody-connected');
    expect(kick).toMatchObject({ status: 404, body: { error: { code: 'NOT_CONNECTED' } } });
    stack.service.policies = without('iot:RetainPublish');
    try {
      const denied = await stack.admin('POST', '/admin/publish', { channel: 'content-updates', message: { v: 2 } });
      expect(denied.status).toBe(500);
      expect(stack.apis.decisions.at(-1)).toMatchObject({
        action: 'iot:RetainPublish',
        resource: 'arn:aws:iot:eu-west-1:123456789012:topic/webcomm/local/content-updates',
        allowed: false,
      });
    } finally {
      stack.service.policies = stack.servicePolicies;
    }
  });

  // Last in the file: it reads the IAM decisions of every test above.
  it('every action the service role grants was exercised and allowed', () => {
    const granted = new Set(
      stack.servicePolicies
        .flatMap((policy) => policy.Statement.flatMap((statement) => statement.Action))
        .filter((action) => /^(iot|cognito-identity|secretsmanager|dynamodb):/.test(action)),
    );
    const allowed = new Set(
      stack.apis.decisions.filter((d) => d.allowed && d.principal === stack.service.arn).map((d) => d.action),
    );
    expect([...granted].filter((action) => !allowed.has(action))).toEqual([]);
    // And nothing the role lacks was needed: the denials are the grants removed on purpose.
    expect(
      stack.apis.decisions.filter((d) => !d.allowed && d.principal === stack.service.arn).map((d) => d.action),
    ).toEqual(['iot:UpdateCertificate', 'iot:RetainPublish']);
  });
});

/**
 * The emulated AWS APIs through the real AWS SDK v3 clients: SigV4 verified per principal, IAM
 * evaluated against the principal's policies (a removed grant is AccessDeniedException naming
 * the action and resource), AWS's error shapes, and UnknownOperationException for a call not served.
 */
import {
  CognitoIdentityClient,
  DescribeIdentityCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  ListIdentityPoolsCommand,
  LookupDeveloperIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DescribeCertificateCommand,
  DescribeEndpointCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsPrincipal } from './aws-principals.js';
import { startAwsApis, type RunningAwsApis } from './start-aws-apis.js';

const region = 'eu-west-1';
const account = '123456789012';
const iotArn = `arn:aws:iot:${region}:${account}`;
const pool = { id: `${region}:11111111-2222-4333-8444-555555555555`, developerProviderName: 'webcomm.game.prod' };
const service: AwsPrincipal = {
  arn: `arn:aws:sts::${account}:assumed-role/ServiceRole/fn`,
  accessKeyId: 'AKIAEMULATEDSERVICE1',
  secretAccessKey: 'service-secret-0123456789abcdef0123456789',
  policies: [],
};
const allowAll = {
  Version: '2012-10-17' as const,
  Statement: [
    { Effect: 'Allow', Action: ['iot:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['cognito-identity:*'],
      Resource: [`arn:aws:cognito-identity:${region}:${account}:identitypool/${pool.id}`, '*'],
    },
  ],
};
let apis: RunningAwsApis;
let iot: IoTClient;
let cognito: CognitoIdentityClient;

const clientOptions = (secret = service.secretAccessKey) => ({
  region,
  endpoint: apis.endpoint,
  credentials: { accessKeyId: service.accessKeyId, secretAccessKey: secret },
  maxAttempts: 1,
});

beforeAll(async () => {
  apis = await startAwsApis({
    region,
    account,
    principals: [service],
    iotPolicyNames: ['game-prod-device'],
    identityPools: [pool],
    dataEndpoint: 'abc-ats.iot.eu-west-1.amazonaws.com',
  });
  iot = new IoTClient(clientOptions());
  cognito = new CognitoIdentityClient(clientOptions());
});
afterAll(async () => {
  iot?.destroy();
  cognito?.destroy();
  await apis?.close();
});

describe('the emulated IoT control plane and Cognito developer identities (real SDK v3)', () => {
  it('serves a certificate client registration, as IotCertificatePort makes it', async () => {
    service.policies = [allowAll];
    const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    expect(created.certificateArn).toBe(`${iotArn}:cert/${created.certificateId}`);
    expect(created.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(created.keyPair?.PrivateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    await iot.send(new CreateThingCommand({ thingName: 'dev-1' }));
    await expect(iot.send(new CreateThingCommand({ thingName: 'dev-1' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
    await iot.send(new AttachThingPrincipalCommand({ thingName: 'dev-1', principal: created.certificateArn }));
    await iot.send(new AttachPolicyCommand({ policyName: 'game-prod-device', target: created.certificateArn }));
    expect((await iot.send(new ListThingPrincipalsCommand({ thingName: 'dev-1' }))).principals).toEqual([
      created.certificateArn,
    ]);
    expect((await iot.send(new ListAttachedPoliciesCommand({ target: created.certificateArn }))).policies).toEqual([
      { policyName: 'game-prod-device', policyArn: `${iotArn}:policy/game-prod-device` },
    ]);
    await iot.send(new UpdateCertificateCommand({ certificateId: created.certificateId, newStatus: 'INACTIVE' }));
    expect(
      (await iot.send(new DescribeCertificateCommand({ certificateId: created.certificateId }))).certificateDescription
        ?.status,
    ).toBe('INACTIVE');
    expect((await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))).endpointAddress).toBe(
      'abc-ats.iot.eu-west-1.amazonaws.com',
    );
    await expect(
      iot.send(new AttachPolicyCommand({ policyName: 'game-prod-device', target: 'not-an-identity' })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await expect(
      iot.send(new AttachPolicyCommand({ policyName: 'no-such-policy', target: created.certificateArn })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('serves developer identities as CognitoIdentityPort uses them', async () => {
    service.policies = [allowAll];
    const first = await cognito.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: pool.id,
        Logins: { [pool.developerProviderName]: 'user-1' },
      }),
    );
    expect(first.IdentityId).toMatch(/^eu-west-1:[0-9a-f-]{36}$/);
    expect(first.Token?.split('.')).toHaveLength(3);
    const again = await cognito.send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: pool.id,
        IdentityId: first.IdentityId,
        Logins: { [pool.developerProviderName]: 'user-1' },
      }),
    );
    expect(again.IdentityId).toBe(first.IdentityId);
    const lookup = await cognito.send(
      new LookupDeveloperIdentityCommand({ IdentityPoolId: pool.id, IdentityId: first.IdentityId, MaxResults: 1 }),
    );
    expect(lookup.DeveloperUserIdentifierList).toEqual(['user-1']);
    expect((await cognito.send(new DescribeIdentityCommand({ IdentityId: first.IdentityId }))).Logins).toEqual([
      pool.developerProviderName,
    ]);
    await expect(
      cognito.send(new DescribeIdentityCommand({ IdentityId: `${region}:00000000-0000-4000-8000-000000000000` })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('denies what the policies do not allow, naming the action and the resource', async () => {
    service.policies = [
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iot:CreateThing', Resource: `${iotArn}:thing/*` }],
      },
    ];
    await iot.send(new CreateThingCommand({ thingName: 'dev-2' }));
    const denied = iot.send(new UpdateCertificateCommand({ certificateId: 'abc', newStatus: 'INACTIVE' }));
    await expect(denied).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        `not authorized to perform: iot:UpdateCertificate on resource: ${iotArn}:cert/abc because no identity-based policy allows`,
      ),
    });
    await expect(
      cognito.send(new DescribeIdentityCommand({ IdentityId: `${region}:00000000-0000-4000-8000-000000000000` })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('cognito-identity:DescribeIdentity on resource: *'),
    });
  });

  it('refuses a wrong signature and an unknown key; answers UnknownOperationException for a call it does not serve', async () => {
    service.policies = [allowAll];
    const forged = new IoTClient(clientOptions('not-the-secret'));
    await expect(forged.send(new DescribeEndpointCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    forged.destroy();
    const stranger = new IoTClient({
      ...clientOptions(),
      credentials: { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' },
    });
    await expect(stranger.send(new DescribeEndpointCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    stranger.destroy();
    const unsigned = await fetch(`${apis.endpoint}/endpoint`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    await expect(iot.send(new ListThingsCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('GET /things'),
    });
    await expect(cognito.send(new ListIdentityPoolsCommand({ MaxResults: 1 }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('ListIdentityPools'),
    });
  });
});

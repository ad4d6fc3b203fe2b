/**
 * The IoT control plane's operations the service's adapters call, in the REST-JSON form of
 * `@aws-sdk/client-iot` (method and path per operation as the SDK's schema declares them). Each
 * operation names the IAM action and the resource ARN AWS evaluates, so the caller's policies
 * decide before the operation runs.
 */
import { randomUUID } from 'node:crypto';
import { AwsApiError } from './aws-api-error.js';
import type { IamRequest } from './iam-authorizer.js';
import type { IotRegistry } from './iot-registry.js';

/** A REST-JSON request, its path parameters decoded. */
export interface RestRequest {
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

/** One operation: where the SDK sends it, what IAM checks, what it does. */
export interface RestOperation {
  readonly name: string;
  readonly method: string;
  readonly path: RegExp;
  readonly iam: (request: RestRequest) => IamRequest;
  readonly run: (request: RestRequest) => Promise<unknown> | unknown;
}

/** What the operations need. */
export interface IotControlPlaneDeps {
  readonly registry: IotRegistry;
  /** `arn:PARTITION:iot:REGION:ACCOUNT`. */
  readonly iotArn: string;
  /** The data endpoint's host (`DescribeEndpoint iot:Data-ATS`). */
  readonly dataEndpoint: string;
}

function header(request: RestRequest, name: string): string {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '')
    throw new AwsApiError('InvalidRequestException', 400, `Header ${name} is required.`);
  return text;
}

function field(request: RestRequest, name: string): string {
  const value = request.body[name];
  if (typeof value !== 'string' || value === '')
    throw new AwsApiError('InvalidRequestException', 400, `Field ${name} is required.`);
  return value;
}

/** The operations, by the SDK's routes. */
export function iotOperations({ registry, iotArn, dataEndpoint }: IotControlPlaneDeps): RestOperation[] {
  const certArn = (id: string): string => `${iotArn}:cert/${id}`;
  // A policy's target is evaluated as its ARN when it has one (a certificate); a Cognito identity id has none: "*".
  const targetResource = (target: string): string => (target.startsWith(`${iotArn}:cert/`) ? target : '*');
  return [
    {
      name: 'CreateKeysAndCertificate',
      method: 'POST',
      path: /^\/keys-and-certificate$/,
      iam: () => ({ action: 'iot:CreateKeysAndCertificate', resource: '*' }),
      run: async (request) => {
        const made = await registry.createKeysAndCertificate(request.query.get('setAsActive') === 'true');
        return {
          certificateArn: made.certificate.arn,
          certificateId: made.certificate.id,
          certificatePem: made.certificate.pem,
          keyPair: { PublicKey: made.publicKeyPem, PrivateKey: made.privateKeyPem },
        };
      },
    },
    {
      name: 'UpdateCertificate',
      method: 'PUT',
      path: /^\/certificates\/([^/]+)$/,
      iam: ({ params }) => ({ action: 'iot:UpdateCertificate', resource: certArn(params[0] ?? '') }),
      run: ({ params, query }) => {
        const status = query.get('newStatus');
        if (status !== 'ACTIVE' && status !== 'INACTIVE' && status !== 'REVOKED')
          throw new AwsApiError('InvalidRequestException', 400, 'newStatus must be ACTIVE, INACTIVE or REVOKED.');
        registry.certificate(params[0] ?? '').status = status;
        return {};
      },
    },
    {
      name: 'DescribeCertificate',
      method: 'GET',
      path: /^\/certificates\/([^/]+)$/,
      iam: ({ params }) => ({ action: 'iot:DescribeCertificate', resource: certArn(params[0] ?? '') }),
      run: ({ params }) => {
        const certificate = registry.certificate(params[0] ?? '');
        return {
          certificateDescription: {
            certificateArn: certificate.arn,
            certificateId: certificate.id,
            status: certificate.status,
            certificatePem: certificate.pem,
            creationDate: certificate.createdAt.getTime() / 1000,
          },
        };
      },
    },
    {
      name: 'CreateThing',
      method: 'POST',
      path: /^\/things\/([^/]+)$/,
      iam: ({ params }) => ({ action: 'iot:CreateThing', resource: `${iotArn}:thing/${params[0] ?? ''}` }),
      run: ({ params }) => {
        const name = params[0] ?? '';
        return { thingName: name, thingArn: registry.createThing(name), thingId: randomUUID() };
      },
    },
    {
      name: 'AttachThingPrincipal',
      method: 'PUT',
      path: /^\/things\/([^/]+)\/principals$/,
      iam: (request) => ({
        action: 'iot:AttachThingPrincipal',
        resource: header(request, 'x-amzn-principal'),
        context: { 'iot:thingArn': `${iotArn}:thing/${request.params[0] ?? ''}` },
      }),
      run: (request) => {
        const principal = header(request, 'x-amzn-principal');
        if (registry.certificateOfArn(principal) === undefined)
          throw new AwsApiError('InvalidRequestException', 400, `Principal ${principal} is not a certificate ARN.`);
        registry.thing(request.params[0] ?? '').add(principal);
        return {};
      },
    },
    {
      name: 'ListThingPrincipals',
      method: 'GET',
      path: /^\/things\/([^/]+)\/principals$/,
      iam: ({ params }) => ({ action: 'iot:ListThingPrincipals', resource: `${iotArn}:thing/${params[0] ?? ''}` }),
      run: ({ params }) => ({ principals: [...registry.thing(params[0] ?? '')] }),
    },
    {
      name: 'ListPrincipalThings',
      method: 'GET',
      path: /^\/principals\/things$/,
      iam: (request) => ({ action: 'iot:ListPrincipalThings', resource: header(request, 'x-amzn-principal') }),
      run: (request) => {
        const principal = header(request, 'x-amzn-principal');
        return {
          things: [...registry.things].filter(([, principals]) => principals.has(principal)).map(([name]) => name),
        };
      },
    },
    {
      name: 'AttachPolicy',
      method: 'PUT',
      path: /^\/target-policies\/([^/]+)$/,
      iam: (request) => ({ action: 'iot:AttachPolicy', resource: targetResource(field(request, 'target')) }),
      run: (request) => {
        registry.attachPolicy(request.params[0] ?? '', field(request, 'target'));
        return {};
      },
    },
    {
      name: 'DetachPolicy',
      method: 'POST',
      path: /^\/target-policies\/([^/]+)$/,
      iam: (request) => ({ action: 'iot:DetachPolicy', resource: targetResource(field(request, 'target')) }),
      run: (request) => {
        registry.detachPolicy(request.params[0] ?? '', field(request, 'target'));
        return {};
      },
    },
    {
      name: 'ListAttachedPolicies',
      method: 'POST',
      path: /^\/attached-policies\/([^/]+)$/,
      // ListAttachedPolicies has no resource type in AWS's table: only "*" matches it.
      iam: () => ({ action: 'iot:ListAttachedPolicies', resource: '*' }),
      run: ({ params }) => ({
        policies: registry
          .attachedPolicies(params[0] ?? '')
          .map((policyName) => ({ policyName, policyArn: `${iotArn}:policy/${policyName}` })),
      }),
    },
    {
      name: 'DescribeEndpoint',
      method: 'GET',
      path: /^\/endpoint$/,
      iam: () => ({ action: 'iot:DescribeEndpoint', resource: '*' }),
      run: () => ({ endpointAddress: dataEndpoint }),
    },
  ];
}

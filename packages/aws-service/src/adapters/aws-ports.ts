/**
 * The service's ports on AWS, from the settings the construct hands the function as
 * environment variables: DynamoDB users and tokens, Cognito identities, IoT certificates and the
 * IoT data plane (endpoint from `DescribeEndpoint iot:Data-ATS` unless given).
 */
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeEndpointCommand, IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import {
  channelsForClient,
  channelTopic,
  validateChannelsConfig,
  type ChannelsConfig,
  type ServicePorts,
} from '@webcomm/service';
import { CognitoIdentityPort } from './cognito-identity-port.js';
import { DataPlaneBrokerAdmin, DataPlanePublisher } from './data-plane-ports.js';
import { DynamoUserStore } from './dynamo-user-store.js';
import { IotCertificatePort } from './iot-certificate-port.js';
import { secretTokenSigner } from './token-signer.js';
import { ToolGrantingUsers } from './tool-grants.js';

/** What the AWS ports need. */
export interface AwsServiceSettings {
  readonly region: string;
  readonly tableName: string;
  readonly identityPoolId: string;
  readonly developerProvider: string;
  readonly playerPolicy: string;
  readonly devicePolicy: string;
  /** Tool policy name per `trustedPublish` channel. @default none */
  readonly toolPolicies?: Readonly<Record<string, string>>;
  readonly channels: ChannelsConfig;
  /** `https://PREFIX-ats.iot.REGION.amazonaws.com`. @default DescribeEndpoint `iot:Data-ATS` */
  readonly iotDataEndpoint?: string;
  /** The secret (ARN) holding the custom authorizer's token signing key. @default tokens are not signed */
  readonly tokenSigningSecret?: string;
  /** Lifetime of the registrations' OpenID tokens in seconds. @default 900 (Cognito's default) */
  readonly openIdTokenSeconds?: number;
}

/** Reads {@link AwsServiceSettings} from the function's environment (names set by the construct). */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): AwsServiceSettings {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '')
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        `Environment variable ${name} is not set; deploy the function with the WebCommunicator construct, which sets it.`,
      );
    return value;
  };
  return {
    region: need('AWS_REGION'),
    tableName: need('TABLE_NAME'),
    identityPoolId: need('IDENTITY_POOL_ID'),
    developerProvider: need('DEVELOPER_PROVIDER'),
    playerPolicy: need('PLAYER_POLICY'),
    devicePolicy: need('DEVICE_POLICY'),
    ...(env.TOOL_POLICIES ? { toolPolicies: JSON.parse(env.TOOL_POLICIES) as Record<string, string> } : {}),
    channels: validateChannelsConfig(JSON.parse(need('CHANNELS'))),
    ...(env.IOT_DATA_ENDPOINT ? { iotDataEndpoint: env.IOT_DATA_ENDPOINT } : {}),
    ...(env.TOKEN_SIGNING_SECRET ? { tokenSigningSecret: env.TOKEN_SIGNING_SECRET } : {}),
    ...(env.OPENID_TOKEN_SECONDS ? { openIdTokenSeconds: Number(env.OPENID_TOKEN_SECONDS) } : {}),
  };
}

/** The channel directory of a configuration (the emulator's catalog does the same over its file). */
export function channelDirectory(config: ChannelsConfig): ServicePorts['channels'] {
  return {
    forClient: (clientId) => channelsForClient(config, clientId),
    find: (name, clientId) => channelsForClient(config, clientId).find((channel) => channel.name === name),
    trustedPublishTopics: (clientId) =>
      config.channels
        .filter((channel) => channel.trustedPublish === true)
        .map((channel) => channelTopic(config, channel, clientId)),
  };
}

/** The SDK clients the ports use; each defaults to one for the region with the function's role. */
export interface AwsServiceClients {
  readonly iot?: IoTClient;
  readonly cognito?: CognitoIdentityClient;
  readonly dynamodb?: DynamoDBClient;
  readonly dataPlane?: IoTDataPlaneClient;
  readonly secrets?: SecretsManagerClient;
}

/**
 * Builds the AWS ports. The SDK clients use the function's role unless `clients` passes others
 * (tests point them at the emulated AWS APIs through `endpoint`).
 */
export async function createAwsPorts(
  settings: AwsServiceSettings,
  clients: AwsServiceClients = {},
): Promise<ServicePorts> {
  const { region } = settings;
  const iot = clients.iot ?? new IoTClient({ region });
  const endpoint =
    settings.iotDataEndpoint ??
    `https://${(await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }))).endpointAddress ?? ''}`;
  const dataPlane = clients.dataPlane ?? new IoTDataPlaneClient({ region, endpoint });
  const table = new DynamoUserStore(clients.dynamodb ?? new DynamoDBClient({ region }), settings.tableName);
  const host = new URL(endpoint).hostname;
  const certificates = new IotCertificatePort(iot, {
    devicePolicy: settings.devicePolicy,
    toolPolicies: settings.toolPolicies ?? {},
    grantsOf: async (clientId) => (await table.get(clientId))?.brokerPublish ?? [],
  });
  return {
    users: new ToolGrantingUsers(table, iot, settings.toolPolicies ?? {}, certificates),
    tokens: table,
    channels: channelDirectory(settings.channels),
    identities: new CognitoIdentityPort(clients.cognito ?? new CognitoIdentityClient({ region }), iot, settings),
    certificates,
    ...(settings.tokenSigningSecret === undefined
      ? {}
      : {
          tokenSigner: await secretTokenSigner(
            clients.secrets ?? new SecretsManagerClient({ region }),
            settings.tokenSigningSecret,
          ),
        }),
    broker: new DataPlaneBrokerAdmin(dataPlane),
    publisher: new DataPlanePublisher(dataPlane),
    endpoints: { websocket: { host, port: 443, url: `wss://${host}/mqtt` }, mutualTls: { host, port: 8883 } },
  };
}

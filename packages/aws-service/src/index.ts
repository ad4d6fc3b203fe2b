/**
 * `@webcomm/aws-service`: the Web Communicator service on AWS. {@link createBackend} pushes
 * channel messages to clients over the IoT data plane; the adapters implement
 * `@webcomm/service`'s ports with the AWS SDK v3; {@link createServiceHandler} is the API as a
 * Lambda function. The CDK construct is in `@webcomm/aws-service/cdk`.
 */
export { createBackend } from './backend.js';
export type { Backend, BackendOptions, SendResult } from './backend.js';
export { dataPlaneError } from './data-plane-error.js';
export { DynamoUserStore } from './adapters/dynamo-user-store.js';
export { CognitoIdentityPort } from './adapters/cognito-identity-port.js';
export type { CognitoIdentitySettings } from './adapters/cognito-identity-port.js';
export { IotCertificatePort } from './adapters/iot-certificate-port.js';
export type { CertificatePolicies, ClientCertificates } from './adapters/iot-certificate-port.js';
export { DataPlaneBrokerAdmin, DataPlanePublisher } from './adapters/data-plane-ports.js';
export { ToolGrantingUsers } from './adapters/tool-grants.js';
export { rsaTokenSigner, secretTokenSigner } from './adapters/token-signer.js';
export { channelDirectory, createAwsPorts, settingsFromEnvironment } from './adapters/aws-ports.js';
export type { AwsServiceClients, AwsServiceSettings } from './adapters/aws-ports.js';
export { createServiceHandler, serviceRequestOf } from './lambda/service-handler.js';
export type { HttpApiHandler, ServiceHandlerOptions } from './lambda/service-handler.js';
export type { HttpApiEvent, HttpApiResult } from './lambda/http-api-event.js';
export { createAuthorizerHandler } from './lambda/authorizer-handler.js';
export type { AuthorizerDeps, IotAuthorizerEvent, IotAuthorizerResult } from './lambda/authorizer-handler.js';
export {
  COGNITO_SUB,
  THING_NAME,
  authorizedClientPolicy,
  devicePolicy,
  isPerClient,
  playerPolicy,
  toolPublishPolicy,
} from './iot-policies.js';
export type { PolicyDocument, PolicyStatement } from './iot-policies.js';
export {
  MAX_POLICY_DOCUMENT_CHARS,
  MAX_POLICY_DOCUMENTS,
  authorizedClientPolicies,
  packPolicyDocuments,
} from './authorizer-policies.js';

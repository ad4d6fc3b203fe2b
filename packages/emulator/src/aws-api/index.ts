/** The emulated AWS control-plane APIs (IoT, Cognito developer identities), IAM-evaluated. */
export { startAwsApis } from './start-aws-apis.js';
export type { AwsApisOptions, IamDecision, RunningAwsApis } from './start-aws-apis.js';
export type { AwsPrincipal, IamPolicyDocument } from './aws-principals.js';
export type { DeveloperIdentityPool } from './cognito-developer-identities.js';
export { MAX_TOKEN_DURATION_S } from './cognito-developer-identities.js';
export { IotRegistry } from './iot-registry.js';
export type { IotCertificate } from './iot-registry.js';
export { AwsApiError } from './aws-api-error.js';
export type { SecretValues } from './secrets-manager.js';
export type { DynamoDbBackend } from './dynamodb-proxy.js';
export type { IotDataBackend } from './iot-data-proxy.js';

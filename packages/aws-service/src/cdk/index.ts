/**
 * `@webcomm/aws-service/cdk`: the CDK v2 construct that deploys the Web Communicator service
 * ({@link WebCommunicator}). Needs `aws-cdk-lib`, `constructs` and `cdk-nag` (peers); bundles the
 * Lambda functions locally with esbuild (no Docker).
 */
export { AUTHORIZER_TOKEN_KEY } from './add-custom-authorizer.js';
export { WebCommunicator } from './web-communicator.js';
export type { CustomAuthorizerProps, TopicRuleProps, WebCommunicatorProps } from './web-communicator-props.js';

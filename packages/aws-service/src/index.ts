/**
 * `@webcomm/aws-service`: the Web Communicator service on AWS. {@link createBackend} pushes
 * channel messages to clients over the IoT data plane.
 */
export { createBackend } from './backend.js';
export type { Backend, BackendOptions, SendResult } from './backend.js';
export { dataPlaneError } from './data-plane-error.js';

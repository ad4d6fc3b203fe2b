/** The service function's entry (the construct bundles this file): the API over the AWS ports, built once per cold start. */
import { createAwsPorts, settingsFromEnvironment } from '../adapters/aws-ports.js';
import { createServiceHandler } from './service-handler.js';

/** The Lambda handler. */
export const handler = createServiceHandler(() => createAwsPorts(settingsFromEnvironment(process.env)));

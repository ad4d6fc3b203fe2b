/**
 * `@webcomm/node/testing`: tools for testing your own code against bad networks.
 */
export { startFaultProxy, type FaultProxy, type FaultProxyTarget } from './fault-proxy.js';

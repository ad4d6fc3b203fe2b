export * from './errors.js';
export type * from './transport.js';
export type * from './service-types.js';

import { describe, expect, it } from 'vitest';
import type { HttpApiEvent } from './http-api-event.js';
import { serviceRequestOf } from './service-handler.js';

const event = (over: Partial<HttpApiEvent> = {}, iam = false): HttpApiEvent => ({
  version: '2.0',
  routeKey: 'POST /publish',
  rawPath: '/publish',
  rawQueryString: 'a=1&b=2',
  headers: { 'content-type': 'application/json' },
  isBase64Encoded: false,
  requestContext: {
    http: { method: 'post', path: '/publish', sourceIp: '::ffff:10.0.0.7' },
    ...(iam ? { authorizer: { iam: { userArn: 'arn:aws:iam::1:user/op' } } } : {}),
  },
  ...over,
});

describe('serviceRequestOf (an HTTP API v2 event as the route code sees it)', () => {
  it('maps method, path, query, source address and the IAM caller', () => {
    const request = serviceRequestOf(event({}, true));
    expect(request).toMatchObject({
      method: 'POST',
      path: '/publish',
      sourceAddress: '10.0.0.7',
      principal: 'arn:aws:iam::1:user/op',
    });
    expect(request.query.get('b')).toBe('2');
    expect(serviceRequestOf(event()).principal).toBeUndefined();
  });

  it('reads plain and base64 bodies with the service limits and codes', async () => {
    expect(await serviceRequestOf(event({ body: '{"channel":"chat"}' })).readJson(100)).toEqual({ channel: 'chat' });
    expect(
      await serviceRequestOf(
        event({ body: Buffer.from('{"x":1}').toString('base64'), isBase64Encoded: true }),
      ).readJson(100),
    ).toEqual({ x: 1 });
    expect(await serviceRequestOf(event()).readJson(100)).toEqual({});
    await expect(
      serviceRequestOf(event({ body: '{"x":"' + 'y'.repeat(200) + '"}' })).readJson(100),
    ).rejects.toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    await expect(
      serviceRequestOf(event({ body: 'x', headers: { 'content-type': 'text/plain' } })).readJson(100),
    ).rejects.toMatchObject({ status: 415 });
    await expect(serviceRequestOf(event({ body: '{' })).readJson(100)).rejects.toMatchObject({ code: 'BAD_JSON' });
    await expect(
      serviceRequestOf(event({ body: '['.repeat(70) + ']'.repeat(70) })).readJson(1000),
    ).rejects.toMatchObject({ code: 'JSON_TOO_DEEP' });
  });
});

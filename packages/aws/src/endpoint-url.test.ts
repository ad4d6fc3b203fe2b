import { describe, expect, it } from 'vitest';
import { customAuthorizerUrl } from './custom-authorizer-url.js';
import { regionFromIotEndpoint, webSocketUrl } from './endpoint-url.js';

describe('webSocketUrl', () => {
  it.each([
    ['abc-ats.iot.eu-west-1.amazonaws.com', 'wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt'],
    ['ws://127.0.0.1:8080', 'ws://127.0.0.1:8080/mqtt'],
    ['https://h.example:8443/custom', 'wss://h.example:8443/custom'],
    ['http://localhost:9000', 'ws://localhost:9000/mqtt'],
    ['wss://h.example:443/mqtt', 'wss://h.example/mqtt'],
    ['ws://127.0.0.1:9001/', 'ws://127.0.0.1:9001/'],
    ['wss://h.example/?x=1', 'wss://h.example/?x=1'],
    ['wss://h.example?x=1', 'wss://h.example/mqtt?x=1'],
    ['h.example:8443/', 'wss://h.example:8443/'],
  ])('%s → %s', (input, expected) => {
    expect(webSocketUrl(input).href).toBe(expected);
  });

  it('names the problem', () => {
    expect(() => webSocketUrl('')).toThrow(/endpoint must be a host name/);
    expect(() => webSocketUrl('mqtts://h')).toThrow(
      /Option "endpoint" must be a URL starting with wss:\/\/ or ws:\/\/ or https:\/\/ or http:\/\/ \(got "mqtts:\/\/h"\); mqtts:\/\/ is not one of them/,
    );
    expect(() => webSocketUrl('wss://h:99999')).toThrow(/Option "endpoint" .* does not parse as a URL/);
    expect(() => webSocketUrl('wss://u:p@h')).toThrow(/user:password@/);
  });
});

describe('regionFromIotEndpoint', () => {
  it.each([
    ['abc-ats.iot.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['abc.iot.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['abc-ats.iot.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['127.0.0.1', undefined],
    ['iot.example.com', undefined],
  ])('%s → %s', (host, region) => {
    expect(regionFromIotEndpoint(host)).toBe(region);
  });
});

describe('customAuthorizerUrl', () => {
  it('puts name, token and signature first, escaped, then extra parameters', () => {
    expect(
      customAuthorizerUrl('abc-ats.iot.eu-west-1.amazonaws.com', {
        authorizerName: 'Game Auth',
        token: { tokenKeyName: 'x-token', token: 'a b&c', signature: 'ab+/=' },
        query: { game: 'ünï' },
      }),
    ).toBe(
      'wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt?x-amz-customauthorizer-name=Game%20Auth&x-token=a%20b%26c' +
        '&x-amz-customauthorizer-signature=ab%2B%2F%3D&game=%C3%BCn%C3%AF',
    );
  });

  it('works without a token and names a missing authorizer', () => {
    expect(customAuthorizerUrl('ws://127.0.0.1:1', { authorizerName: 'A' })).toBe(
      'ws://127.0.0.1:1/mqtt?x-amz-customauthorizer-name=A',
    );
    expect(() => customAuthorizerUrl('h', { authorizerName: '' })).toThrow(/authorizerName is required/);
  });
});

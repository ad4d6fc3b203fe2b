import { describe, expect, it } from 'vitest';
import { PublishPropertyProblem, publishProperties } from './publish-properties.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('publishProperties', () => {
  it('reads nothing from a request without properties', () => {
    expect(publishProperties(new URLSearchParams('qos=1'), {})).toEqual({});
  });

  it('reads every property; repeated user property names keep their order', () => {
    const properties = publishProperties(
      new URLSearchParams({ contentType: 'text/plain', responseTopic: 'a/b', messageExpiry: '604800' }),
      {
        'x-amz-mqtt5-user-properties': b64('[{"a":"1","b":"2"},{"a":"3"}]'),
        'x-amz-mqtt5-payload-format-indicator': 'UNSPECIFIED_BYTES',
        'x-amz-mqtt5-correlation-data': b64('\u0000\u00ff'),
      },
    );
    expect(properties).toEqual({
      contentType: 'text/plain',
      responseTopic: 'a/b',
      messageExpiryInterval: 604_800,
      userProperties: { a: ['1', '3'], b: '2' },
      payloadFormatIndicator: false,
      correlationData: Buffer.from('\u0000\u00ff'),
    });
  });

  it.each([
    [{ messageExpiry: '1.5' }, {}],
    [{ messageExpiry: '-1' }, {}],
    [{ responseTopic: '' }, {}],
    [{ responseTopic: 'a/#' }, {}],
    [{}, { 'x-amz-mqtt5-user-properties': b64('not json') }],
    [{}, { 'x-amz-mqtt5-user-properties': b64('[["a","b"]]') }],
    [{}, { 'x-amz-mqtt5-correlation-data': 'abc' }],
  ])('refuses %j %j naming the parameter', (query, headers) => {
    expect(() => publishProperties(new URLSearchParams(query), headers)).toThrow(PublishPropertyProblem);
  });
});

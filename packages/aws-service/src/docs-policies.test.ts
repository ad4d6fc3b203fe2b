/**
 * The IoT policies shown in docs/moving-to-aws-iot-core.md are the ones the construct deploys:
 * each JSON block under its heading equals the policy function's output for `DEFAULT_CHANNELS`
 * with the placeholders `REGION`, `ACCOUNT`, `PROJECT` and `DEPLOYMENT`.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_CHANNELS } from '@webcomm/service';
import { describe, expect, it } from 'vitest';
import { devicePolicy, playerPolicy, toolPublishPolicy } from './iot-policies.js';

const doc = readFileSync(new URL('../../../docs/moving-to-aws-iot-core.md', import.meta.url), 'utf8');
const config = { ...DEFAULT_CHANNELS, project: 'PROJECT', deployment: 'DEPLOYMENT' };
const arn = 'arn:aws:iot:REGION:ACCOUNT';

/** The first json block after `heading`. */
function blockAfter(heading: string): unknown {
  const at = doc.indexOf(`### ${heading}`);
  expect(at, `heading "### ${heading}"`).toBeGreaterThan(-1);
  const json = /```json\n([^]*?)```/.exec(doc.slice(at))?.[1];
  return JSON.parse(json ?? 'null');
}

describe('docs/moving-to-aws-iot-core.md shows the policies the construct deploys', () => {
  it('guest, registered player, device and trusted tool', () => {
    expect(blockAfter('Cognito guest')).toEqual(playerPolicy(config, arn, { guest: true }));
    expect(blockAfter('Registered players')).toEqual(playerPolicy(config, arn));
    expect(blockAfter('Device certificates')).toEqual(devicePolicy(config, arn));
    const tools = config.channels.find((channel) => channel.trustedPublish === true);
    expect(tools?.name).toBe('tools');
    if (tools !== undefined) expect(blockAfter('Trusted tools')).toEqual(toolPublishPolicy(config, arn, tools));
  });
});

/**
 * The IoT policies of a deployment: player (attached to each registered identity), device /
 * dedicated server (attached to each certificate), and one trusted-tool policy per
 * `trustedPublish` channel; none but the tool policies allows `iot:Publish`.
 */
import { CfnPolicy } from 'aws-cdk-lib/aws-iot';
import type { Construct } from 'constructs';
import type { ChannelsConfig } from '@webcomm/service';
import { devicePolicy, playerPolicy, toolPublishPolicy } from '../iot-policies.js';

/** The IoT policy names: player, device, and the tool policy of each trustedPublish channel. */
export interface IotPolicyNames {
  readonly player: string;
  readonly device: string;
  readonly tools: Readonly<Record<string, string>>;
}

/** The IoT policies made by {@link addIotPolicies}. */
export interface IotPolicies {
  /** The player policy (the service function depends on it). */
  readonly player: CfnPolicy;
  /** The device policy (the service function depends on it). */
  readonly device: CfnPolicy;
  /** Their names, and the tool policies' by channel. */
  readonly names: IotPolicyNames;
}

/**
 * Adds the IoT policies of `config` to `scope`, named `{prefix}-player`, `{prefix}-device` and
 * `{prefix}-tool-{channel}`; `iotArn` is `arn:{partition}:iot:{region}:{account}`.
 */
export function addIotPolicies(scope: Construct, config: ChannelsConfig, iotArn: string, prefix: string): IotPolicies {
  const player = new CfnPolicy(scope, 'PlayerPolicy', {
    policyName: `${prefix}-player`,
    policyDocument: playerPolicy(config, iotArn),
  });
  const device = new CfnPolicy(scope, 'DevicePolicy', {
    policyName: `${prefix}-device`,
    policyDocument: devicePolicy(config, iotArn),
  });
  const tools: Record<string, string> = {};
  for (const channel of config.channels.filter((c) => c.trustedPublish === true)) {
    const policy = new CfnPolicy(scope, `ToolPolicy-${channel.name}`, {
      policyName: `${prefix}-tool-${channel.name}`,
      policyDocument: toolPublishPolicy(config, iotArn, channel),
    });
    tools[channel.name] = policy.policyName as string;
  }
  return {
    player,
    device,
    names: { player: player.policyName as string, device: device.policyName as string, tools },
  };
}

/** The custom authorizer function's entry (the construct bundles this file). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { validateChannelsConfig } from '@webcomm/service';
import { DynamoUserStore } from '../adapters/dynamo-user-store.js';
import { createAuthorizerHandler, type IotAuthorizerEvent, type IotAuthorizerResult } from './authorizer-handler.js';

const store = new DynamoUserStore(new DynamoDBClient({ region: process.env.AWS_REGION }), process.env.TABLE_NAME ?? '');

/** The Lambda handler; the IoT ARN prefix comes from the invoking authorizer's context. */
export const handler = async (
  event: IotAuthorizerEvent,
  context: { invokedFunctionArn: string },
): Promise<IotAuthorizerResult> => {
  const [, partition, , region, account] = context.invokedFunctionArn.split(':');
  const channels = validateChannelsConfig(JSON.parse(process.env.CHANNELS ?? '{}'));
  return createAuthorizerHandler({
    tokens: store,
    users: store,
    channels,
    iotArn: `arn:${partition}:iot:${region}:${account}`,
  })(event);
};

/** An IoT topic rule invoking a Lambda function, and the permission that lets IoT invoke it. */
import { CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { TopicRuleProps } from './web-communicator-props.js';

/** Adds the topic rule `rule` (`Rule-{name}`) and its invoke permission to `scope`. */
export function addTopicRule(scope: Construct, rule: TopicRuleProps): void {
  const topicRule = new CfnTopicRule(scope, `Rule-${rule.name}`, {
    ruleName: rule.name,
    topicRulePayload: {
      sql: rule.sql,
      awsIotSqlVersion: rule.sqlVersion ?? '2016-03-23',
      ruleDisabled: false,
      actions: [{ lambda: { functionArn: rule.function.functionArn } }],
    },
  });
  new CfnPermission(scope, `RuleInvoke-${rule.name}`, {
    action: 'lambda:InvokeFunction',
    functionName: rule.function.functionArn,
    principal: 'iot.amazonaws.com',
    sourceArn: topicRule.attrArn,
  });
}

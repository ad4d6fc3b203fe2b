/**
 * The service's HTTP API (API Gateway): client routes open to browsers (CORS) and throttled,
 * `POST /register` at a tenth of the rate, `/admin/*` behind IAM authorization, access logs on.
 */
import { Duration, RemovalPolicy, Validations, type CfnResource } from 'aws-cdk-lib';
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { CorsHttpMethod, HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The API's limits and browser origins (the construct's props of the same names). */
export interface HttpApiProps {
  /** @default 50 */
  readonly rateLimit?: number;
  /** @default 100 */
  readonly burstLimit?: number;
  /** @default ['*'] */
  readonly corsOrigins?: readonly string[];
}

/** Adds the HTTP API serving every route with `fn` to `scope`; returns the API's URL. */
export function addHttpApi(scope: Construct, fn: IFunction, props: HttpApiProps): string {
  const integration = new HttpLambdaIntegration('Service', fn);
  const api = new HttpApi(scope, 'Api', {
    // Browser games on their own origin call the client routes; API Gateway answers the preflight.
    corsPreflight: {
      allowOrigins: [...(props.corsOrigins ?? ['*'])],
      allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
      allowHeaders: ['authorization', 'content-type'],
      exposeHeaders: ['retry-after'],
      maxAge: Duration.hours(1),
    },
  });
  const publicRoute = (path: string, method: HttpMethod): HttpRoute[] =>
    api.addRoutes({ path, methods: [method], integration });
  const registerRoutes = publicRoute('/register', HttpMethod.POST);
  publicRoute('/channels', HttpMethod.GET);
  publicRoute('/status', HttpMethod.GET);
  publicRoute('/publish', HttpMethod.POST);
  const adminRoutes = api.addRoutes({
    path: '/admin/{proxy+}',
    methods: [HttpMethod.ANY],
    integration,
    authorizer: new HttpIamAuthorizer(),
  });
  const stage = api.defaultStage?.node.defaultChild as CfnStage;
  const accessLogs = new LogGroup(scope, 'ApiAccessLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  stage.accessLogSettings = {
    destinationArn: accessLogs.logGroupArn,
    format: JSON.stringify({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      route: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
    }),
  };
  const rateLimit = props.rateLimit ?? 50;
  const burstLimit = props.burstLimit ?? 100;
  stage.defaultRouteSettings = { throttlingRateLimit: rateLimit, throttlingBurstLimit: burstLimit };
  // Registrations are the costly route (a Cognito identity or a certificate each): a tenth of the rate.
  // routeSettings is a raw JSON map: CloudFormation's own (PascalCase) keys.
  // The stage must come after the routes its settings name, or API Gateway may create it first
  // and answer "Unable to find Route by key POST /register".
  for (const route of registerRoutes) stage.node.addDependency(route);
  stage.routeSettings = {
    'POST /register': {
      ThrottlingRateLimit: Math.max(1, Math.floor(rateLimit / 10)),
      ThrottlingBurstLimit: Math.max(1, Math.floor(burstLimit / 10)),
    },
  };
  for (const route of api.node
    .findAll()
    .filter((c) => (c as CfnResource).cfnResourceType === 'AWS::ApiGatewayV2::Route')) {
    if (adminRoutes.some((admin) => route.node.scope === admin)) continue;
    Validations.of(route).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'Client routes authenticate in the function: /register is open by design (rate-limited per address and throttled), the others need the service token issued by /register.',
    });
  }
  return api.apiEndpoint;
}

/**
 * The props of the `WebCommunicator` construct: the channels it serves, the API's limits, and the
 * optional custom authorizer and topic rules.
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ChannelsConfig } from '@webcomm/service';

/** An IoT topic rule: SQL over the broker's messages, invoking a Lambda function. */
export interface TopicRuleProps {
  /** Rule name: letters, digits and `_` (IoT's rule). */
  readonly name: string;
  /** IoT SQL, e.g. `SELECT * FROM 'webcomm/prod/chat'`. */
  readonly sql: string;
  /** The function the rule invokes. */
  readonly function: IFunction;
  /** @default '2016-03-23' */
  readonly sqlVersion?: string;
}

/**
 * The IoT custom authorizer, with token signing on: IoT verifies each connection's token
 * signature with `tokenSigningPublicKeyPem` before it invokes (and bills) the authorizer
 * function, so forged tokens cost nothing. The service signs each token it issues with the
 * matching private key, kept in `tokenSigningKey` (PEM as the secret's text), and hands the
 * signature to the client with the token (`serviceTokenSignature`).
 *
 * Make the pair once: `openssl genrsa -out token-key.pem 2048`, `openssl rsa -in token-key.pem
 * -pubout -out token-key.pub.pem`, `aws secretsmanager create-secret --name NAME --secret-string
 * file://token-key.pem`.
 */
export interface CustomAuthorizerProps {
  /** The RSA public key (PEM) IoT verifies token signatures with. */
  readonly tokenSigningPublicKeyPem: string;
  /** The secret holding the matching RSA private key (PEM); the service function may read it, nothing else. */
  readonly tokenSigningKey: ISecret;
}

/** Props of the `WebCommunicator` construct. */
export interface WebCommunicatorProps {
  /** Project, deployment and channels: the topic layout `{project}/{deployment}/{channel}`. */
  readonly channels: ChannelsConfig;
  /** Steady client requests per second on the API (API Gateway throttling). @default 50 */
  readonly rateLimit?: number;
  /** Client request burst on the API. @default 100 */
  readonly burstLimit?: number;
  /**
   * How long the Cognito OpenID token of a registration lasts. A WEBSOCKET client registers again
   * for a new token when its hourly credentials refresh finds it expired, so a short token makes
   * the fleet re-register hourly (28/s at 100,000 players, against `POST /register`'s throttle of
   * a tenth of `rateLimit`); Cognito allows 1 second to 24 hours. A ban does not wait for it: it
   * detaches the player policy at once. @default Duration.hours(24)
   */
  readonly openIdTokenLifetime?: Duration;
  /** Deploy an IoT custom authorizer (signed service token → policy document). @default none */
  readonly customAuthorizer?: CustomAuthorizerProps;
  /** IoT topic rules with a Lambda action. @default none */
  readonly rules?: readonly TopicRuleProps[];
  /** What happens to the user table when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Origins allowed to call the client routes from a browser (CORS), e.g. `['https://mygame.example']`.
   * @default ['*'] (any origin: the client routes authenticate with a bearer token, not cookies)
   */
  readonly corsOrigins?: readonly string[];
  /**
   * esbuild settings merged over the construct's (e.g. `tsconfig`, so a workspace bundles
   * `@webcomm/*` from source through its path mapping). @default the construct's: ESM, minified, SDK bundled
   */
  readonly bundling?: BundlingOptions;
}

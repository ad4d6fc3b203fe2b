/**
 * The parts of an API Gateway HTTP API event (payload format 2.0) and of its answer that the
 * service uses, declared here so the package needs no `@types/aws-lambda`. Field names are AWS's.
 */

/** An HTTP API request as Lambda receives it (payload format version 2.0). */
export interface HttpApiEvent {
  readonly version: '2.0';
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  /** Lower-case names; repeated headers joined with commas. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  readonly requestContext: {
    readonly http: { readonly method: string; readonly path: string; readonly sourceIp: string };
    /** Present when the route has an IAM authorizer (the `/admin` routes): who signed the request. */
    readonly authorizer?: {
      readonly iam?: { readonly accessKey?: string; readonly userArn?: string; readonly accountId?: string };
    };
    readonly requestId?: string;
  };
}

/** The structured answer (payload format 2.0). */
export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

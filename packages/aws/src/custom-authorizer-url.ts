import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, optionKeys } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys
import { webSocketUrl } from './endpoint-url.js';
import { uriEscape } from './uri-escape.js';

/** The token part of a custom-authorizer connection. */
export interface CustomAuthorizerToken {
  /** Name of the query parameter carrying the token (the authorizer's "token key name"). */
  readonly tokenKeyName: string;
  /** The token. Secret: never logged. */
  readonly token: string;
  /** Base64 signature of the token, for authorizers with signing enabled. Secret: never logged. */
  readonly signature?: string;
}

/** Options of {@link customAuthorizerUrl}. */
export interface CustomAuthorizerUrlOptions {
  /** The authorizer's name in AWS IoT. */
  readonly authorizerName: string;
  /** Token to pass, if the authorizer uses one. */
  readonly token?: CustomAuthorizerToken;
  /** Further query parameters for the authorizer's Lambda (after the authorizer's own). */
  readonly query?: Readonly<Record<string, string>>;
}

/**
 * `wss://HOST/mqtt?x-amz-customauthorizer-name=N&TOKENKEY=T&x-amz-customauthorizer-signature=S`,
 * the query form of AWS IoT custom authentication over WebSocket.
 */
export function customAuthorizerUrl(endpoint: string, options: CustomAuthorizerUrlOptions): string {
  assertKnownOptions(
    options,
    optionKeys<CustomAuthorizerUrlOptions>({ authorizerName: true, token: true, query: true }),
    'customAuthorizerUrl()',
  );
  assertKnownOptions(
    options.token,
    optionKeys<CustomAuthorizerToken>({ tokenKeyName: true, token: true, signature: true }),
    'customAuthorizerUrl()',
    'token',
  );
  const url = webSocketUrl(endpoint);
  const { authorizerName, token, query = {} } = options;
  if (typeof authorizerName !== 'string' || authorizerName === '') {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      'authorizerName is required for a custom-authorizer connection.',
    );
  }
  const params: [string, string][] = [['x-amz-customauthorizer-name', authorizerName]];
  if (token !== undefined) {
    if (typeof token.tokenKeyName !== 'string' || token.tokenKeyName === '' || typeof token.token !== 'string') {
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        'token must be {tokenKeyName, token, signature?} with non-empty strings.',
      );
    }
    params.push([token.tokenKeyName, token.token]);
    if (token.signature !== undefined) params.push(['x-amz-customauthorizer-signature', token.signature]);
  }
  for (const [key, value] of url.searchParams) params.push([key, value]);
  for (const [key, value] of Object.entries(query)) params.push([key, value]);
  return `${url.protocol}//${url.host}${url.pathname}?${params.map(([k, v]) => `${uriEscape(k)}=${uriEscape(v)}`).join('&')}`;
}

/** The authorizer-specific part of a CONNECT. */
export interface CustomAuthorizerCredentials {
  /** `x-amz-customauthorizer-name`. */
  readonly authorizerName: string;
  /** Token key name configured on the authorizer, and the token. */
  readonly token?: { readonly keyName: string; readonly value: string };
  /** `x-amz-customauthorizer-signature` (token signing enabled). */
  readonly signature?: string;
  /** A user name before the `?`, when the authorizer wants one. */
  readonly user?: string;
}

/**
 * The MQTT username AWS IoT Core reads a custom authorizer from:
 * `[user]?x-amz-customauthorizer-name=NAME&TOKENKEY=TOKEN&x-amz-customauthorizer-signature=SIG`,
 * every value URL-encoded.
 */
export function customAuthorizerUsername(credentials: CustomAuthorizerCredentials): string {
  const query = new URLSearchParams({ 'x-amz-customauthorizer-name': credentials.authorizerName });
  if (credentials.token !== undefined) query.set(credentials.token.keyName, credentials.token.value);
  if (credentials.signature !== undefined) query.set('x-amz-customauthorizer-signature', credentials.signature);
  return `${credentials.user ?? ''}?${query.toString()}`;
}

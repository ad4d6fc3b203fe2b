/**
 * The request target of an HTTP request, parsed without trusting anything else in the request.
 * Building a URL from `request.url` and the Host header threw on `//` or `Host: a b`, outside any
 * try, and stopped the process; this never throws.
 */

/** A base for origin-form targets: the Host header plays no part in routing. */
const BASE = 'http://emulator.invalid';
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The target as a URL when it is an origin-form path (`/register?x=1`) with no empty or dot
 * segment (`//`, `/./`, `/../`: no route has them, and a normalised path must not differ from the
 * one routed) and no control character; undefined for anything else (`*`, absolute-form, garbage).
 * Percent escapes are left encoded: a route decodes its parameters after authenticating.
 */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  if (typeof target !== 'string' || !target.startsWith('/') || CONTROL.test(target)) return undefined;
  const path = target.split('?')[0] ?? '';
  const segments = path.split('/').slice(1);
  // A trailing slash (`/portal/`) leaves one empty last segment; any other empty segment is malformed.
  if (
    segments.some(
      (segment, index) => (segment === '' && index < segments.length - 1) || segment === '.' || segment === '..',
    )
  )
    return undefined;
  try {
    const url = new URL(target, BASE);
    return url.pathname === path ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes one percent-encoded path parameter, or undefined when its escapes are malformed. */
export function decodePathParameter(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

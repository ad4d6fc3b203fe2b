/** RFC 3986 escaping as SigV4 wants it: everything but `A-Z a-z 0-9 - _ . ~`. */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Whether one MQTT filter grants everything another can match: the one question about
 * filters that core's `TopicTrie` (which matches concrete topics) does not answer. Follows
 * IoT Core as the trie does with `hashMatchesParent: false`: `a/#` does not match `a`, and a
 * leading wildcard does not match `$` topics.
 */

/** True when every topic `requested` can match is also matched by `granted`. */
export function filterCovers(granted: string, requested: string): boolean {
  const g = granted.split('/');
  const r = requested.split('/');
  if (requested.startsWith('$') && (g[0] === '+' || g[0] === '#')) return false;
  for (let i = 0; i < g.length; i++) {
    const level = g[i];
    // IoT Core: `#` needs at least one level, so `a/#` does not cover `a`.
    if (level === '#') return i < r.length;
    if (i >= r.length) return false;
    const wanted = r[i];
    if (wanted === '#') return false;
    if (level === '+') continue;
    if (level !== wanted) return false;
  }
  return g.length === r.length;
}

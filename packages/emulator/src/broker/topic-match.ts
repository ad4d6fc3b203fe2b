/** MQTT topic filter matching (pure). `$`-topics are not matched by a leading wildcard. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic `requested` can match is also matched by `granted`. */
export function filterCovers(granted: string, requested: string): boolean {
  const g = granted.split('/');
  const r = requested.split('/');
  if (requested.startsWith('$') && (g[0] === '+' || g[0] === '#')) return false;
  for (let i = 0; i < g.length; i++) {
    const level = g[i];
    if (level === '#') return true;
    if (i >= r.length) return false;
    const wanted = r[i];
    if (wanted === '#') return false;
    if (level === '+') continue;
    if (level !== wanted) return false;
  }
  return g.length === r.length;
}

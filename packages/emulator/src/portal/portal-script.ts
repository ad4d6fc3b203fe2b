/**
 * The portal page's script, served inline (the page's CSP allows only its own inline script and
 * this origin). Plain browser JavaScript, no build step. It keeps the admin token in
 * sessionStorage only, polls the admin API every 2 s, and shows a "connection lost" banner (and
 * greys the stale tables) when the emulator stops answering.
 */
export const PORTAL_SCRIPT = String.raw`
const $ = (id) => document.getElementById(id);
const PAGE = 25;
let token = sessionStorage.getItem('webcomm-admin-token') || '';
let channels = [];
let tailAbort;
let offset = 0;
let search = '';
let selected = '';
let lostSince;
let watching; // the tail the operator asked for ({channel, clientId}), resumed when the emulator is back
let tailOpen = false;
let grantsFor = ''; // the user whose publish-rights form is shown (rebuilt only when it changes)
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : 'never');

class ApiError extends Error {}
async function api(path, init = {}) {
  let response;
  try {
    response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token } });
  } catch (error) {
    connectionLost();
    throw error;
  }
  connectionBack();
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError((body.error && body.error.code) + ': ' + (body.error && body.error.message));
  return body;
}
function show(message) { $('error').textContent = message || ''; }

function connectionLost() {
  if (lostSince) return;
  lostSince = new Date();
  document.body.dataset.connection = 'lost';
  $('connection').textContent = 'Connection lost: the emulator at ' + location.origin + ' stopped answering at ' + lostSince.toLocaleTimeString() + '. What you see is stale; retrying every 2 s.';
  $('connection').hidden = false;
}
function connectionBack() {
  if (!lostSince) return;
  lostSince = undefined;
  document.body.dataset.connection = 'ok';
  $('connection').hidden = true;
  if (watching && !tailOpen) tail(watching.channel, watching.clientId, true);
}

function userRow(u) {
  const tr = el('tr');
  tr.dataset.user = u.id;
  const idCell = el('td');
  const open = el('button', u.id, 'link');
  open.dataset.action = 'details';
  open.onclick = () => { selected = u.id; details(); };
  idCell.append(open);
  tr.append(idCell, el('td', u.kind), el('td', u.status, u.status), el('td', when(u.lastSeenAt), 'seen'), el('td', when(u.createdAt)));
  const actions = el('td', undefined, 'actions');
  actions.append(statusButton(u));
  tr.append(actions);
  return tr;
}
function kickButton(clientId) {
  const kick = el('button', 'Kick');
  kick.dataset.action = 'kick';
  kick.title = 'Disconnect now without banning (it may reconnect)';
  kick.onclick = () => kickClient(clientId);
  return kick;
}
function statusButton(u) {
  const button = el('button', u.status === 'banned' ? 'Unban' : 'Ban');
  button.dataset.action = u.status === 'banned' ? 'unban' : 'ban';
  button.onclick = () => setStatus(u.id, u.status === 'banned' ? 'active' : 'banned');
  return button;
}

async function refreshUsers() {
  const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE), search });
  const page = await api('/admin/users?' + query);
  if (page.total > 0 && offset >= page.total) { offset = Math.max(0, Math.floor((page.total - 1) / PAGE) * PAGE); return refreshUsers(); }
  $('users').replaceChildren(...(page.users.length ? page.users.map(userRow) : [(() => { const tr = el('tr'); const td = el('td', search ? 'no user id contains "' + search + '"' : 'no users yet'); td.colSpan = 6; tr.append(td); return tr; })()]));
  $('users-range').textContent = page.total === 0 ? '0 users' : (offset + 1) + '–' + (offset + page.users.length) + ' of ' + page.total + (search ? ' matching "' + search + '"' : '');
  $('users-prev').disabled = offset === 0;
  $('users-next').disabled = offset + page.users.length >= page.total;
}

async function details() {
  if (!selected) { $('detail').hidden = true; return; }
  let answer;
  try { answer = await api('/admin/users/' + encodeURIComponent(selected)); } catch (error) { if (error instanceof ApiError) { show(error.message); selected = ''; $('detail').hidden = true; } return; }
  const { user, connections } = answer;
  $('detail').hidden = false;
  $('detail').dataset.user = user.id;
  $('detail-id').textContent = user.id;
  const grants = user.brokerPublish || [];
  const facts = [['kind', user.kind], ['status', user.status], ['created', when(user.createdAt)], ['last seen', connections.length ? 'now (connected)' : when(user.lastSeenAt)], ['connections', String(connections.length)], ['broker publish', grants.length ? grants.join(', ') : 'none']];
  $('detail-facts').replaceChildren(...facts.flatMap(([k, v]) => { const dt = el('dt', k); const dd = el('dd', v, k === 'status' ? v : undefined); dd.dataset.fact = k; return [dt, dd]; }));
  $('detail-actions').replaceChildren(statusButton(user));
  if (grantsFor !== user.id) grantsForm(user.id, grants);
  $('detail-connections').replaceChildren(...(connections.length ? connections.map((c) => {
    const tr = el('tr');
    tr.dataset.client = c.clientId;
    // The last cell is the per-connection action area.
    const actions = el('td', undefined, 'client-actions');
    actions.dataset.clientId = c.clientId;
    actions.append(kickButton(c.clientId));
    tr.append(el('td', c.clientId), el('td', c.transport || ''), el('td', c.keepalive === undefined ? '' : c.keepalive + ' s'), el('td', c.clean === undefined ? '' : (c.clean ? 'clean' : 'persistent')), actions);
    return tr;
  }) : [(() => { const tr = el('tr'); const td = el('td', 'not connected'); td.colSpan = 5; tr.append(td); return tr; })()]));
}

// Publish rights: the channels marked trustedPublish, ticked for the ones granted to this user.
function grantsForm(id, granted) {
  grantsFor = id;
  const grantable = channels.filter((c) => c.trustedPublish);
  const boxes = grantable.map((c) => { const label = el('label'); const box = el('input'); box.type = 'checkbox'; box.value = c.name; box.checked = granted.includes(c.name); label.append(box, ' ' + c.name + ' '); return label; });
  const save = el('button', 'Save publish rights');
  save.id = 'grants-save';
  save.onclick = async () => {
    const names = [...$('grants').querySelectorAll('input:checked')].map((box) => box.value);
    try { const answer = await api('/admin/users/' + encodeURIComponent(id) + '/publish', { method: 'PUT', body: JSON.stringify({ channels: names }) }); $('grants-result').textContent = 'saved: ' + (names.join(', ') || 'none') + ' (' + answer.disconnected + ' live connection(s) dropped to pick them up)'; } catch (error) { $('grants-result').textContent = error.message; }
    await details();
  };
  $('grants').replaceChildren(...(grantable.length ? [el('span', 'may publish straight to the broker on: '), ...boxes, save] : [el('span', 'no channel is marked "trustedPublish": true in channels.json')]));
  $('grants-result').textContent = '';
}

function refusalRow(r) {
  const tr = el('tr');
  tr.dataset.reason = r.reason;
  tr.append(el('td', when(r.at)), el('td', r.action), el('td', r.reason), el('td', r.clientId || ''), el('td', r.topic || ''), el('td', r.transport + ' ' + r.ipAddress), el('td', r.detail));
  return tr;
}

async function refresh() {
  try {
    const [, { clients }, data, { refusals }] = await Promise.all([refreshUsers(), api('/admin/clients'), api('/admin/channels'), api('/admin/refusals')]);
    channels = data.channels;
    $('refusals').replaceChildren(...(refusals.length ? refusals.map(refusalRow) : [(() => { const tr = el('tr'); const td = el('td', 'none so far'); td.colSpan = 7; tr.append(td); return tr; })()]));
    if (!$('reg-publish').childElementCount) $('reg-publish').replaceChildren(...channels.filter((c) => c.trustedPublish).map((c) => { const label = el('label'); const box = el('input'); box.type = 'checkbox'; box.value = c.name; label.append(box, ' ' + c.name + ' '); return label; }));
    $('clients').replaceChildren(...(clients.length ? clients.map((c) => { const li = el('li'); li.dataset.client = c; const b = el('button', c, 'link'); b.onclick = () => { selected = c; details(); }; li.append(b, ' ', kickButton(c)); return li; }) : [el('li', 'none')]));
    $('channels').replaceChildren(...channels.map((c) => { const tr = el('tr'); tr.append(el('td', c.name), el('td', c.type), el('td', c.topic), el('td', [c.clientPublish ? 'clients' : '', c.trustedPublish ? 'trusted tools' : ''].filter(Boolean).join(', ') || 'service only')); return tr; }));
    if (!$('tail-channel').options.length) $('tail-channel').replaceChildren(...channels.map((c) => { const o = el('option', c.type === 'private' ? c.name + ' (per client)' : c.name); o.value = c.name; o.dataset.type = c.type; return o; }));
    if (!$('pub-channel').options.length) $('pub-channel').replaceChildren(...channels.filter((c) => c.type !== 'private').map((c) => { const o = el('option', c.name); o.value = c.name; return o; }));
    tailClientField();
    await details();
    show('');
    document.body.dataset.ready = 'true';
  } catch (error) { if (error instanceof ApiError) show(error.message); }
}

async function kickClient(id) {
  try { await api('/admin/connections/' + encodeURIComponent(id), { method: 'DELETE' }); } catch (error) { show(error.message); }
  await refresh();
}

async function setStatus(id, status) {
  // A ban revokes the user's credentials and certificates and drops its connections: ask first.
  if (status === 'banned' && !confirm('Ban ' + id + '? Its credentials and certificates are revoked and its live connections dropped.')) return;
  try { await api('/admin/users/' + encodeURIComponent(id) + '/status', { method: 'PUT', body: JSON.stringify({ status }) }); } catch (error) { show(error.message); }
  await refresh();
}

function tailClientField() {
  const option = $('tail-channel').selectedOptions[0];
  $('tail-client-label').hidden = !(option && option.dataset.type === 'private');
}
function tailLine(text, cls) { const line = el('div', text, cls); $('tail').append(line); $('tail').scrollTop = $('tail').scrollHeight; }
function tailEntry(entry) {
  const box = el('div', undefined, 'entry');
  box.append(el('div', when(entry.at) + '  ' + entry.topic, 'meta'));
  box.append(el('pre', typeof entry.message === 'string' ? entry.message : JSON.stringify(entry.message, null, 2)));
  $('tail').append(box);
  $('tail').scrollTop = $('tail').scrollHeight;
}
async function tail(channel, clientId, resumed) {
  if (tailAbort) tailAbort.abort();
  tailAbort = new AbortController();
  watching = { channel, clientId };
  tailOpen = true;
  if (!resumed) $('tail').replaceChildren();
  tailLine((resumed ? 'emulator back: watching ' : 'watching ') + channel + (clientId ? ' of ' + clientId : ''), 'status');
  const query = new URLSearchParams({ channel });
  if (clientId) query.set('clientId', clientId);
  let buffered = '';
  try {
    const response = await fetch('/admin/tail?' + query, { headers: { authorization: 'Bearer ' + token }, signal: tailAbort.signal });
    if (!response.ok) { const body = await response.json().catch(() => ({})); watching = undefined; throw new ApiError('tail refused: ' + ((body.error && body.error.code) || response.status)); }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) if (line) tailEntry(JSON.parse(line));
    }
    tailEnded();
  } catch (error) {
    if (error.name === 'AbortError') return;
    tailOpen = false;
    if (error instanceof ApiError) { show(error.message); return; }
    tailEnded();
  }
}
function tailEnded() {
  tailOpen = false;
  tailLine('tail ended: connection lost; it resumes when the emulator answers again', 'lost');
  connectionLost();
}

async function registerClient() {
  const publish = [...$('reg-publish').querySelectorAll('input:checked')].map((box) => box.value);
  $('reg-files').replaceChildren();
  try {
    const r = await api('/admin/register', { method: 'POST', body: JSON.stringify({ type: $('reg-type').value, ...(publish.length ? { publish } : {}) }) });
    $('reg-result').textContent = 'registered ' + r.clientId + ' (' + r.connectionType + ')' + (r.brokerPublish ? ', may publish straight to the broker on ' + r.brokerPublish.join(', ') : '') + '. Download its files now (the key is not kept here); put them in a createNodeClient cacheDir:';
    $('reg-result').dataset.clientId = r.clientId;
    const { certificatePem, privateKeyPem, caPem, ...rest } = r;
    const files = [['certificate.pem', certificatePem], ['private-key.pem', privateKeyPem], ['ca.pem', caPem], ['registration.json', JSON.stringify(rest, null, 2) + '\n']].filter(([, text]) => text !== undefined);
    $('reg-files').replaceChildren(...files.map(([name, text]) => { const a = el('a', name); a.download = name; a.href = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' })); const li = el('li'); li.append(a); return li; }));
  } catch (error) { $('reg-result').textContent = error.message; }
  await refresh();
}

$('signin').onclick = () => { token = $('token').value.trim(); sessionStorage.setItem('webcomm-admin-token', token); refresh(); };
$('user-search').oninput = () => { search = $('user-search').value.trim(); offset = 0; refresh(); };
$('users-prev').onclick = () => { offset = Math.max(0, offset - PAGE); refresh(); };
$('users-next').onclick = () => { offset += PAGE; refresh(); };
$('detail-close').onclick = () => { selected = ''; grantsFor = ''; $('detail').hidden = true; };
$('tail-channel').onchange = tailClientField;
$('tail-start').onclick = () => tail($('tail-channel').value, $('tail-client').value.trim());
$('register').onclick = registerClient;
$('publish').onclick = async () => {
  try {
    const message = JSON.parse($('pub-message').value);
    const result = await api('/admin/publish', { method: 'POST', body: JSON.stringify({ channel: $('pub-channel').value, message }) });
    $('pub-result').textContent = 'published on ' + result.topic;
  } catch (error) { $('pub-result').textContent = error.message; }
};
if (token) refresh();
setInterval(() => { if (token) refresh(); }, 2000);
`;

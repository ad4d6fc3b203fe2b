/**
 * The portal page (the Web Communicator portal's job, locally): users with their status and a
 * ban/unban button, channels, connected clients with a kick button, a live tail of one channel, and a form to
 * publish an announcement. Plain HTML and script: it calls the admin API with the admin token
 * the operator types in (kept in sessionStorage, never in the page or a cookie).
 */
export const PORTAL_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>webcomm portal</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 24px; color: #1d2733; background: #f6f8fa; }
  h1 { font-size: 20px; margin: 0 0 16px; }
  section { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef1f4; font-family: ui-monospace, monospace; font-size: 12px; }
  .banned { color: #b42318; font-weight: 600; } .active { color: #1a7f37; }
  #tail { height: 160px; overflow: auto; background: #0d1117; color: #c9d1d9; padding: 8px; font: 12px ui-monospace, monospace; white-space: pre-wrap; }
  input, select, button { font: inherit; padding: 3px 8px; }
  #error { color: #b42318; }
</style>
</head>
<body>
<h1>webcomm portal <small>(local Web Communicator)</small></h1>
<section id="login">
  <label>Admin token <input id="token" type="password" size="48" autocomplete="off"></label>
  <button id="signin">Sign in</button> <span id="error"></span>
</section>
<section><h2>Users</h2><table><thead><tr><th>id</th><th>kind</th><th>status</th><th>created</th><th></th></tr></thead><tbody id="users"></tbody></table></section>
<section><h2>Connected clients</h2><ul id="clients"></ul></section>
<section><h2>Channels</h2><table><thead><tr><th>name</th><th>type</th><th>topic</th><th>client publish</th></tr></thead><tbody id="channels"></tbody></table></section>
<section><h2>Live tail</h2><select id="tail-channel"></select> <button id="tail-start">Watch</button><div id="tail"></div></section>
<section><h2>Publish an announcement</h2>
  <select id="pub-channel"></select> <input id="pub-message" size="60" value='{"text": "Hello, players"}'> <button id="publish">Publish</button> <span id="pub-result"></span>
</section>
<script>
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('webcomm-admin-token') || '';
let channels = [];
let tailAbort;
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.error && body.error.code) + ': ' + (body.error && body.error.message));
  return body;
}
function show(message) { $('error').textContent = message || ''; }
async function refresh() {
  try {
    const [{ users }, { clients }, data] = await Promise.all([api('/admin/users'), api('/admin/clients'), api('/admin/channels')]);
    channels = data.channels;
    const rows = users.map((u) => {
      const tr = el('tr');
      tr.dataset.user = u.id;
      tr.append(el('td', u.id), el('td', u.kind), el('td', u.status, u.status), el('td', u.createdAt));
      const td = el('td');
      const button = el('button', u.status === 'banned' ? 'Unban' : 'Ban');
      button.dataset.action = u.status === 'banned' ? 'unban' : 'ban';
      button.onclick = () => setStatus(u.id, u.status === 'banned' ? 'active' : 'banned');
      td.append(button); tr.append(td);
      return tr;
    });
    $('users').replaceChildren(...rows);
    $('clients').replaceChildren(...(clients.length ? clients.map((c) => {
      const li = el('li', c + ' ');
      li.dataset.client = c;
      const kick = el('button', 'Kick');
      kick.dataset.action = 'kick';
      kick.title = 'Disconnect now without banning (it may reconnect)';
      kick.onclick = () => kickClient(c);
      li.append(kick);
      return li;
    }) : [el('li', 'none')]));
    $('channels').replaceChildren(...channels.map((c) => { const tr = el('tr'); tr.append(el('td', c.name), el('td', c.type), el('td', c.topic), el('td', c.clientPublish ? 'yes' : 'no')); return tr; }));
    const options = () => channels.filter((c) => c.type !== 'private').map((c) => { const o = el('option', c.name); o.value = c.name; return o; });
    if (!$('tail-channel').options.length) $('tail-channel').replaceChildren(...options());
    if (!$('pub-channel').options.length) $('pub-channel').replaceChildren(...options());
    show('');
    document.body.dataset.ready = 'true';
  } catch (error) { show(String(error.message)); }
}
async function setStatus(id, status) {
  try { await api('/admin/users/' + encodeURIComponent(id) + '/status', { method: 'PUT', body: JSON.stringify({ status }) }); } catch (error) { show(error.message); }
  await refresh();
}
async function kickClient(id) {
  try { await api('/admin/connections/' + encodeURIComponent(id), { method: 'DELETE' }); } catch (error) { show(error.message); }
  await refresh();
}
async function tail(channel) {
  if (tailAbort) tailAbort.abort();
  tailAbort = new AbortController();
  $('tail').textContent = 'watching ' + channel + '\\n';
  try {
    const response = await fetch('/admin/tail?channel=' + encodeURIComponent(channel), { headers: { authorization: 'Bearer ' + token }, signal: tailAbort.signal });
    if (!response.ok) throw new Error('tail refused: ' + response.status);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) { const { value, done } = await reader.read(); if (done) break; $('tail').textContent += value; }
  } catch (error) { if (error.name !== 'AbortError') show(error.message); }
}
$('signin').onclick = () => { token = $('token').value.trim(); sessionStorage.setItem('webcomm-admin-token', token); refresh(); };
$('tail-start').onclick = () => tail($('tail-channel').value);
$('publish').onclick = async () => {
  try {
    const message = JSON.parse($('pub-message').value);
    const result = await api('/admin/publish', { method: 'POST', body: JSON.stringify({ channel: $('pub-channel').value, message }) });
    $('pub-result').textContent = 'published on ' + result.topic;
  } catch (error) { $('pub-result').textContent = error.message; }
};
if (token) refresh();
setInterval(() => { if (token) refresh(); }, 2000);
</script>
</body>
</html>
`;

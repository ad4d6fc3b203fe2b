/**
 * The portal page (the Web Communicator portal's job, locally): users (searched and paged on the
 * server) with a detail view (kind, status, connections, last seen) and ban/unban, connected
 * clients, channels and who may publish, a live tail of any channel (a private one for one client
 * or all) with messages as readable JSON, a form to publish an announcement, and a banner when
 * the emulator stops answering (the tail resumes when it is back). Operators also register
 * clients (files to download), grant publish rights per user, and see the last refusals; a ban
 * asks for confirmation. Plain HTML and script: it calls the admin API with the admin
 * token the operator types in (kept in sessionStorage, never in the page or a cookie).
 */
import { PORTAL_SCRIPT } from './portal-script.js';

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
  th { font-family: system-ui, sans-serif; color: #57606a; font-weight: 600; }
  .banned { color: #b42318; font-weight: 600; } .active { color: #1a7f37; }
  button.link { background: none; border: none; padding: 0; color: #0969da; cursor: pointer; font: 12px ui-monospace, monospace; text-align: left; }
  button.link:hover { text-decoration: underline; }
  .toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
  .toolbar .range { color: #57606a; margin-left: auto; }
  #detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 8px; }
  #detail dt { color: #57606a; } #detail dd { margin: 0; font-family: ui-monospace, monospace; }
  #detail-actions { margin-bottom: 12px; }
  #tail { height: 240px; overflow: auto; background: #0d1117; color: #c9d1d9; padding: 8px; font: 12px ui-monospace, monospace; }
  #tail .entry { border-bottom: 1px solid #30363d; padding: 4px 0; }
  #tail .meta { color: #8b949e; } #tail pre { margin: 2px 0 0; white-space: pre-wrap; color: #e6edf3; }
  #tail .status { color: #8b949e; } #tail .lost { color: #ff7b72; font-weight: 600; }
  #connection { background: #b42318; color: #fff; padding: 10px 16px; border-radius: 6px; margin-bottom: 16px; font-weight: 600; }
  body[data-connection="lost"] section:not(#login) { opacity: 0.45; }
  input, select, button { font: inherit; padding: 3px 8px; }
  #error { color: #b42318; }
</style>
</head>
<body>
<h1>webcomm portal <small>(local Web Communicator)</small></h1>
<div id="connection" role="alert" hidden></div>
<section id="login">
  <label>Admin token <input id="token" type="password" size="48" autocomplete="off"></label>
  <button id="signin">Sign in</button> <span id="error"></span>
</section>
<section id="users-section"><h2>Users</h2>
  <div class="toolbar">
    <input id="user-search" type="search" placeholder="search ids" size="32" autocomplete="off">
    <button id="users-prev" disabled>‹ Previous</button> <button id="users-next" disabled>Next ›</button>
    <span id="users-range" class="range"></span>
  </div>
  <table><thead><tr><th>id</th><th>kind</th><th>status</th><th>last seen</th><th>created</th><th></th></tr></thead><tbody id="users"></tbody></table>
</section>
<section id="detail" hidden><h2>User <span id="detail-id"></span> <button id="detail-close" class="link">close</button></h2>
  <dl id="detail-facts"></dl>
  <div id="detail-actions"></div>
  <div id="grants"></div> <span id="grants-result"></span>
  <h2>Live connections</h2>
  <table><thead><tr><th>client id</th><th>transport</th><th>keepalive</th><th>session</th><th></th></tr></thead><tbody id="detail-connections"></tbody></table>
</section>
<section><h2>Connected clients</h2><ul id="clients"></ul></section>
<section><h2>Channels</h2><table><thead><tr><th>name</th><th>type</th><th>topic</th><th>who may publish (besides the service)</th></tr></thead><tbody id="channels"></tbody></table></section>
<section><h2>Live tail</h2>
  <div class="toolbar"><select id="tail-channel"></select>
  <label id="tail-client-label" hidden>client id <input id="tail-client" size="40" placeholder="empty: every client"></label>
  <button id="tail-start">Watch</button></div>
  <div id="tail"></div>
</section>
<section id="register-section"><h2>Register a client</h2>
  <div class="toolbar"><select id="reg-type"><option value="OPENSSL">OPENSSL (certificate: servers, tools)</option><option value="WEBSOCKET">WEBSOCKET (Cognito)</option></select>
  <span id="reg-publish"></span> <button id="register">Register</button></div>
  <div id="reg-result"></div><ul id="reg-files"></ul>
</section>
<section id="refusals-section"><h2>Refusals <small>(the last 100: what the emulator refused and why; a client only sees the outcome)</small></h2>
  <table><thead><tr><th>at</th><th>action</th><th>reason</th><th>client id</th><th>topic</th><th>from</th><th>detail</th></tr></thead><tbody id="refusals"></tbody></table>
</section>
<section><h2>Publish an announcement</h2>
  <select id="pub-channel"></select> <input id="pub-message" size="60" value='{"text": "Hello, players"}'> <button id="publish">Publish</button> <span id="pub-result"></span>
</section>
<script>${PORTAL_SCRIPT}</script>
</body>
</html>
`;

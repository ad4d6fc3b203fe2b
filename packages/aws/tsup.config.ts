import { defineConfig } from 'tsup';
import { browserVariants } from '../../scripts/browser-variants.js';

// Dependencies (including @webcomm/core) stay imports, so an app's bundler keeps one copy of each.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    external: [/^@webcomm\//],
  },
  // The `browser` export: the WebSocket transport wraps sockets in the plain WebSocketByteStream
  // (`default-websocket-stream.browser.ts`), so readable-stream is only reachable through the
  // WebSocketStream export, for apps that use it.
  {
    entry: { 'browser/index': 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2020',
    sourcemap: true,
    dts: false,
    clean: false,
    external: [/^@webcomm\//, 'readable-stream', 'eventemitter3', /^@aws-crypto\//, /^@smithy\//],
    esbuildPlugins: [browserVariants],
    splitting: false,
  },
]);

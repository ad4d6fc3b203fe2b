import { defineConfig } from 'tsup';
import { browserVariants } from '../../scripts/browser-variants.js';

// Dependencies (including @webcomm/core) stay imports, so an app's bundler keeps one copy of each.
export default defineConfig([
  {
    entry: ['src/index.ts', 'src/websocket-stream.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    external: [/^@webcomm\//],
  },
  // The `browser` export: the WebSocket transport wraps sockets in the plain WebSocketByteStream
  // (`default-websocket-stream.browser.ts`), and the index re-exports WebSocketStream (readable-stream)
  // from the package's `websocket-stream` entry, a file a bundler drops when the app does not use it.
  {
    entry: ['src/index.ts', 'src/websocket-stream.ts'],
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    dts: false,
    clean: false,
    external: [/^@webcomm\//, 'readable-stream', 'eventemitter3', /^@aws-crypto\//, /^@smithy\//],
    esbuildPlugins: [browserVariants],
    splitting: true,
  },
]);

import { defineConfig } from 'vite';

// Nothing special: no polyfills (@webcomm/core's `browser` export carries what MQTT.js needs).
export default defineConfig({ root: import.meta.dirname, build: { outDir: 'dist', emptyOutDir: true } });

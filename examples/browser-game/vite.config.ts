import { defineConfig } from 'vite';

// Nothing special: @webcomm/browser's `browser` export is one self-contained ES module.
export default defineConfig({ root: import.meta.dirname, build: { outDir: 'dist', emptyOutDir: true } });

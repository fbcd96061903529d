import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The dashboard: Preact pages with ECharts, built to services/insights/dist/web, which the service serves.
// `INSIGHTS_WEB_OUT` builds elsewhere (the tests build into a temp folder of their own).
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: process.env.INSIGHTS_WEB_OUT ?? here('../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
});

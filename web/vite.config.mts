/**
 * Build of the web application: Preact pages bundled by Vite into dist/web, served by the Kyso service at /.
 * Everything (scripts, styles, the DejaVu font with Vietnamese glyphs, pdf.js and its worker) is bundled: the
 * pages load nothing from outside the service.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.join(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npx vite --config ui/vite.config.ts` during development, with Bosun (`npm start`) on :8080
    proxy: { '/trpc': { target: process.env.BOSUN_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});

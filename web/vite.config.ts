import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // Kit's server runtime (run at build time to write the SPA fallback) needs its own cookie@0.6; the root
  // node_modules holds fastify's cookie@2, so bundle the right one instead of resolving it from web/.svelte-kit.
  ssr: { noExternal: ['cookie'] },
  server: { proxy: { '/v1': 'http://localhost:3000' } },
});

import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** A single-page app: the Fastify server serves the static build and answers the API under /v1. */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html' }),
    // The web app's unit tests sit with the others in test/unit/web: svelte-check type-checks them with the app.
    typescript: { config: (config) => void config.include.push('../../test/unit/web/**/*.ts') },
  },
};

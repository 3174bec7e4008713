import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { ApiError, notFound } from '../errors.ts';
import type { Api } from '../instance.ts';

export const WEB_BUILD_DIR = fileURLToPath(new URL('../../web/build', import.meta.url));

/** Paths that belong to the API and operations: an unknown GET there is a JSON 404, never the app's HTML. */
const SERVER_PREFIXES = ['/v1', '/docs', '/healthz', '/readyz', '/metrics'];

export interface WebAppDeps {
  /** The built SvelteKit app (npm run build:web). */
  buildDir?: string;
}

/**
 * The web app at `/`: built files as they are, every other GET (a client-side route such as /alerts or
 * /stores/S001) gets index.html so that a reload or a shared link opens the right page. Public: the app logs in itself.
 */
export async function webAppRoutes(app: Api, deps: WebAppDeps = {}): Promise<void> {
  const root = deps.buildDir ?? WEB_BUILD_DIR;
  await app.register(fastifyStatic, {
    root,
    serve: false,
    cacheControl: false,
    // Vite puts a content hash in every file name under _app/immutable: those never change, the rest must revalidate.
    setHeaders(reply, filePath) {
      reply.header('cache-control', filePath.includes(`${path.sep}immutable${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  app.get('/*', { schema: { hide: true }, config: { public: true } }, async (request, reply) => {
    const pathname = decodeURIComponent(request.url.split('?')[0] ?? '/');
    if (SERVER_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) {
      throw notFound(`no route GET ${pathname}`);
    }
    if (!fs.existsSync(path.join(root, 'index.html'))) {
      throw new ApiError(503, 'web_app_not_built', 'the web app is not built; run `npm run build:web` (npm start does it by itself)');
    }
    const relative = path.normalize(pathname).replace(/^([/\\])+/, '');
    const file = path.join(root, relative);
    const isFile = relative !== '' && file.startsWith(root) && fs.statSync(file, { throwIfNoEntry: false })?.isFile();
    return reply.sendFile(isFile ? relative : 'index.html');
  });
}

import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyError } from 'fastify';
import type { Api } from './instance.ts';
import { WarehouseError, type Warehouse } from '../analytics/warehouse.ts';
import type { EventPublisher } from '../pipelines/event-publisher.ts';
import { httpDuration } from '../pipelines/metrics.ts';
import { requireAccessDeclaration, SESSION_COOKIE, type Authority } from './auth.ts';
import { registerBodyParsers } from './body-parsers.ts';
import { ApiError } from './errors.ts';
import { operationsRoutes } from './routes/operations.ts';
import { recordRoutes } from './routes/records.ts';
import { sessionRoutes } from './routes/session.ts';
import { userRoutes } from './routes/users.ts';
import multipart from '@fastify/multipart';
import { UPLOAD_LIMITS } from './uploads.ts';

export interface AppDeps {
  logger: FastifyBaseLogger;
  warehouse: Warehouse;
  publisher: EventPublisher;
  auth: Authority;
  /** Password sign-in: Secure cookies (served over https) and attempts a minute per user name and address. */
  sessions?: { secureCookie: boolean; loginAttemptsPerMinute: number };
  /** Merchandisers may name unknown packs (SHELFPULSE_MERCHANDISERS_TEACH); the session answer tells the web app. */
  merchandisersTeach?: boolean;
  bodyLimitBytes: number;
  maxRowsPerRequest: number;
  sinkLag: () => number;
  maxSinkLag?: number;
  /** Requests per minute one token (or address, without a token) may make to a rate-limited route. */
  rateLimitPerMinute?: number;
  /** Fastify's trustProxy: which hops may name the client address (see Config.trustProxy). */
  trustProxy?: boolean | number | string;
  /** The routes that need the platform's services (log, alert service, photo intake...), which bin/server.ts builds. */
  extraRoutes?: ((app: Api) => Promise<void>)[];
}

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** The Fastify app: schemas on every route, bearer auth with roles, JSON errors, OpenAPI at /docs. */
export async function buildApp(deps: AppDeps): Promise<Api> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    // A hop count as the function Fastify makes of it (its types leave the number form out).
    trustProxy: typeof deps.trustProxy === 'number' ? trustHops(deps.trustProxy) : (deps.trustProxy ?? false),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerBodyParsers(app);

  app.setErrorHandler((error: FastifyError | ApiError | WarehouseError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).headers(error.headers).send({ error: error.code, message: error.message });
    }
    if (error instanceof WarehouseError && error.code === 'unavailable') {
      request.log.error({ err: error }, 'warehouse unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', message: 'the warehouse is not answering; retry shortly' });
    }
    const status = 'statusCode' in error && error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply
        .code(500)
        .send({ error: 'internal', message: 'the server failed on this request; it is logged with its request id', request_id: request.id });
    }
    const code = 'validation' in error && error.validation ? 'validation_failed' : (error.code ?? 'bad_request').toLowerCase();
    return reply.code(status).send({ error: code, message: error.message });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));

  // Security headers; the web app and the API docs use inline bootstrap scripts and data:/blob: images. Served over
  // plain http (a store LAN address), `upgrade-insecure-requests` would send every script to https, which nothing
  // answers: a blank page on a phone. Only a deployment reached over https (Secure cookies) asks for the upgrade.
  const https = deps.sessions?.secureCookie ?? false;
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        scriptSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    strictTransportSecurity: https,
  });
  // Opt-in per route (`config.rateLimit`): ingest and sign-in; keyed by token so one feed cannot starve another.
  await app.register(rateLimit, {
    global: false,
    max: deps.rateLimitPerMinute ?? 6000,
    timeWindow: '1 minute',
    keyGenerator: (request) => request.headers.authorization ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'rate_limited', `more than ${context.max} requests a minute; retry in ${Math.ceil(context.ttl / 1000)} s`, {
        'retry-after': String(Math.ceil(context.ttl / 1000)),
      }),
  });
  // While shutting down, answers in flight close their connection, so keep-alive clients do not hold the drain open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  // Parses cookies in its own onRequest hook, registered before the one that reads the session cookie.
  await app.register(cookie);
  await app.register(multipart, { limits: UPLOAD_LIMITS });
  app.addHook('onRequest', async (request) => deps.auth.authorize(request));
  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Shelfpulse API',
        version: '0.1.0',
        description:
          'Retail store analytics and shelf monitoring. All routes but /healthz, /readyz, /docs and POST /v1/session take ' +
          'Authorization: Bearer <token>, or the session cookie of a password sign-in (POST /v1/session); cookie-signed ' +
          'requests that change something also carry X-Shelfpulse-CSRF: 1.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
      },
    },
  });
  // The docs are public; swagger-ui takes no route config, so a context of their own marks its routes.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
  // Every route from here on names its roles or says public (authorize refuses one that slipped past).
  app.addHook('onRoute', requireAccessDeclaration);

  await operationsRoutes(app, { warehouse: deps.warehouse, auth: deps.auth, sinkLag: deps.sinkLag });
  await sessionRoutes(app, {
    warehouse: deps.warehouse,
    auth: deps.auth,
    secureCookie: false,
    loginAttemptsPerMinute: 5,
    ...deps.sessions,
    merchandisersTeach: deps.merchandisersTeach ?? false,
  });
  await userRoutes(app, { warehouse: deps.warehouse, auth: deps.auth });
  await recordRoutes(app, {
    warehouse: deps.warehouse,
    publisher: deps.publisher,
    maxRowsPerRequest: deps.maxRowsPerRequest,
    sinkLag: deps.sinkLag,
    maxSinkLag: deps.maxSinkLag ?? 5_000_000,
  });
  for (const routes of deps.extraRoutes ?? []) await routes(app);
  return app;
}

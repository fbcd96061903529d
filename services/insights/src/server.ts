import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { Logger } from '@spotify-pipeline/shared';
import Fastify, { LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { Counter, Histogram } from 'prom-client';
import { handleError, notFoundBody } from './api/errors.js';
import { type ApiDependencies, apiRoutes } from './api/routes.js';

export interface InsightsServerOptions extends ApiDependencies {
  logger: Logger;
  registry: Registry;
  /** The built dashboard; null or missing serves a page that says how to build it. */
  webDir: string | null;
}

/** Pages are the app's own; charts and the PNG export draw with inline styles and data: URLs. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The insights HTTP server: the JSON API under /api/v1 (zod-validated, OpenAPI at /api/openapi.json), the
 * dashboard's static files with a single-page fallback, and /healthz, /readyz, /metrics for Kubernetes.
 */
export async function createInsightsServer(options: InsightsServerOptions) {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }),
    // One line per request would drown the log at dashboard rates; /metrics has per-route durations.
    logController: new LogController({ disableRequestLogging: true }),
    // A listener id may be 256 characters, each up to 12 once percent-encoded.
    routerOptions: { maxParamLength: 4096 },
    requestTimeout: 60_000,
    bodyLimit: 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);

  const duration = new Histogram({
    name: 'insights_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [options.registry],
  });
  const cacheAnswers = new Counter({
    name: 'insights_cache_answers_total',
    help: 'API answers by cache outcome',
    labelNames: ['outcome'],
    registers: [options.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    const cache = reply.getHeader('x-insights-cache');
    if (cache) cacheAnswers.inc({ outcome: String(cache) });
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CONTENT_SECURITY_POLICY);
    return payload;
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'spotify-pipeline insights',
        description:
          'Read-only API over the gold tables: charts, mixes, heatmap, track/artist pages, Wrapped.',
        version: '1.0.0',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(apiRoutes, { ...options, prefix: '/api/v1' });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());

  app.get('/healthz', { schema: { hide: true } }, (_request, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', { schema: { hide: true } }, (_request, reply) => {
    const reason = options.reader.unavailableReason();
    return reply
      .code(reason ? 503 : 200)
      .type('text/plain')
      .send(reason ? `not ready: ${reason}\n` : 'ready\n');
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(options.registry.contentType).send(await options.registry.metrics()),
  );

  const webDir = options.webDir && existsSync(join(options.webDir, 'index.html')) ? options.webDir : null;
  if (webDir) {
    await app.register(fastifyStatic, {
      root: webDir,
      prefix: '/',
      setHeaders: (reply, path) => {
        // Built assets carry a content hash in their names; index.html must be fetched fresh.
        void reply.header(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  } else {
    options.logger.warn({ webDir: options.webDir }, 'dashboard not built: only the API is served');
  }

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || request.method !== 'GET')
      return reply
        .code(404)
        .send(notFoundBody(`no endpoint ${request.method} ${path}; see /api/openapi.json`));
    // Dashboard routes (/wrapped/<id>, /tracks/<id>...) are the single page's: it reads the URL itself.
    if (webDir) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return reply
      .code(503)
      .type('text/plain')
      .send(
        'The dashboard is not built: run `npm run -w @spotify-pipeline/insights build:web` (the API is at /api/v1).\n',
      );
  });
  return app;
}

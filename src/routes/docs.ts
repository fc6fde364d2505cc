/**
 * `GET /openapi.json` and `GET /docs`: both come from the route definitions and
 * zod schemas that validate requests, so the documentation cannot drift.
 * The docs page is plain server-rendered HTML with no external assets.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { html, raw } from 'hono/html';
import type { AppEnv } from '../env';
import { SERVICE_VERSION } from '../version';

type OpenApiDoc = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const DOC_CONFIG = {
  openapi: '3.1.0',
  info: {
    title: 'Astro Engine Edge',
    version: SERVICE_VERSION,
    description:
      'Vedic astrology calculations at the edge: sidereal positions, houses and nakshatras from the Swiss Ephemeris compiled to WebAssembly.',
    license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
  },
};

function renderSchema(schema: unknown): string {
  return JSON.stringify(schema, null, 2);
}

function renderOperation(path: string, method: string, op: Record<string, any>) {
  const params = (op.parameters ?? []) as Array<{ name: string; in: string; required?: boolean; schema?: unknown; description?: string }>;
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries((op.responses ?? {}) as Record<string, { description?: string }>);
  return html`<section class="op">
    <h2><span class="method ${method}">${method.toUpperCase()}</span> <code>${path}</code></h2>
    <p><strong>${op.summary ?? ''}</strong> ${op.description ?? ''}</p>
    ${params.length
      ? html`<h3>Query parameters</h3>
          <table>
            ${params.map(
              (p) => html`<tr><td><code>${p.name}</code>${p.required ? ' (required)' : ''}</td><td>${p.description ?? ''}</td><td><pre>${renderSchema(p.schema)}</pre></td></tr>`,
            )}
          </table>`
      : ''}
    ${body ? html`<h3>JSON body</h3><pre>${renderSchema(body)}</pre>` : ''}
    <h3>Responses</h3>
    <ul>${responses.map(([status, r]) => html`<li><code>${status}</code> ${r.description ?? ''}</li>`)}</ul>
  </section>`;
}

function renderDocs(doc: OpenApiDoc) {
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Record<string, any>>).map(([method, op]) => renderOperation(path, method, op)),
  );
  const schemas = Object.entries(doc.components?.schemas ?? {});
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${doc.info.title} API</title>
        <style>
          body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
          pre { background: #f5f5f5; padding: .75rem; overflow-x: auto; font-size: 13px; }
          .method { display: inline-block; min-width: 4rem; text-align: center; color: #fff; border-radius: 4px; padding: 0 .4rem; }
          .get { background: #2f6fb3; } .post { background: #2f8f4e; } .delete { background: #b33; } .put { background: #a66f00; }
          .op { border-top: 1px solid #ddd; padding-top: .5rem; } td { vertical-align: top; padding: .25rem .5rem; }
        </style>
      </head>
      <body>
        <h1>${doc.info.title} <small>${doc.info.version}</small></h1>
        <p>${doc.info.description ?? ''}</p>
        <p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
        ${raw(ops.join(''))}
        <h2>Schemas</h2>
        ${schemas.map(([name, schema]) => html`<h3 id="${name}">${name}</h3><pre>${renderSchema(schema)}</pre>`)}
      </body>
    </html>`;
}

/** Mounts both routes on the root app, which alone knows every route. */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  const bearer = (description: string) => ({ type: 'http' as const, scheme: 'bearer', description });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', bearer('The ADMIN_TOKEN secret: operational writes.'));
  app.openAPIRegistry.registerComponent('securitySchemes', 'metricsToken', bearer('The METRICS_TOKEN secret (or the admin token), when set.'));
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', bearer('An API key (also accepted as X-API-Key).'));
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  let cached: OpenApiDoc | undefined;
  const document = () => (cached ??= app.getOpenAPI31Document(DOC_CONFIG));
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', async (c) => c.html(await renderDocs(document())));
}

// A browsable, dependency-free page of the OpenAPI document: every operation with its schemas.
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What the page reads of an operation of the document (buildOpenApi writes them). */
interface DocOperation {
  summary?: string;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { description: string }>;
}

/** A schema with the named components it refers to written in place, so the page shows the whole shape. */
function inlined(schema: unknown, components: Record<string, unknown>, seen: string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((x) => inlined(x, components, seen));
  if (typeof schema !== 'object' || schema === null) return schema;
  const { $ref, ...rest } = schema as { $ref?: unknown } & Record<string, unknown>;
  const name = typeof $ref === 'string' ? $ref.replace('#/components/schemas/', '') : undefined;
  // A shape that contains itself is shown by name the second time.
  if (name !== undefined && !seen.includes(name) && components[name]) return { ...(inlined(components[name], components, [...seen, name]) as object), ...rest };
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inlined(v, components, seen)]));
}

export function docsPage(openapi: {
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
}): string {
  const components = openapi.components?.schemas ?? {};
  const ops = Object.entries(openapi.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, DocOperation>).map(([method, op]) => {
      const body = inlined(op.requestBody?.content?.['application/json']?.schema, components);
      const responses = Object.entries(op.responses)
        .map(([s, r]) => `<li><code>${esc(s)}</code> ${esc(r.description)}</li>`)
        .join('');
      return `<section><h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h2><p>${esc(op.summary ?? '')}</p>${
        body ? `<details><summary>Request body schema</summary><pre>${esc(JSON.stringify(body, null, 2))}</pre></details>` : ''
      }<ul>${responses}</ul></section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(openapi.info.title)}</title>
<style>body{font:15px system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1b1b}section{border-bottom:1px solid #ddd;padding:.5rem 0}
.m{display:inline-block;min-width:4.5rem;font-size:.8rem;padding:.1rem .4rem;border-radius:4px;color:#fff;background:#555}.get{background:#1565c0}.post{background:#2e7d32}.delete{background:#c62828}.put,.patch{background:#ef6c00}
pre{background:#f5f5f5;padding:.5rem;overflow:auto}</style></head><body><h1>${esc(openapi.info.title)} <small>${esc(openapi.info.version)}</small></h1>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code> (RFC 9457).</p>${ops.join('')}</body></html>`;
}

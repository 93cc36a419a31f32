// Serves the built web console, falling back to index.html for client-side routes.
import fs from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
};

export function serveWeb(distDir: string): Middleware {
  const root = path.resolve(distDir);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/') || ctx.path === '/api' || ctx.path.startsWith('/scim/')) return next();
    let file = path.resolve(root, '.' + decodeURIComponent(ctx.path));
    if (!file.startsWith(root + path.sep) && file !== root) return next();
    const isAsset = path.extname(file) !== '';
    if (!isAsset || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      if (isAsset && ctx.path.startsWith('/assets/')) return next();
      file = path.join(root, 'index.html');
      if (!fs.existsSync(file)) return next();
    }
    ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    // Hashed assets never change; the HTML shell must always be fresh.
    ctx.set('Cache-Control', ctx.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.body = fs.createReadStream(file);
  };
}

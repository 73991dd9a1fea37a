import { describe, expect, it } from 'vitest';
import { htmlResponse, type WebRequest } from '#lib/web/http.ts';
import { routeByPrefix, type WebApp } from '#lib/web/router.ts';

const named = (name: string): WebApp => async (req) => htmlResponse(200, `${name}:${req.path}`);
const req = (path: string): WebRequest => ({ method: 'GET', path, query: {}, headers: {}, cookies: {}, origin: 'https://x.example' });

describe('routeByPrefix', () => {
  it('sends each path to the first route whose prefix it starts with', async () => {
    const app = routeByPrefix([
      { prefix: '/l/', app: named('links') },
      { prefix: '/', app: named('connect') },
    ]);
    expect((await app(req('/l/abc.def'))).body).toBe('links:/l/abc.def');
    expect((await app(req('/connect/google'))).body).toBe('connect:/connect/google');
    // '/l' alone is not under '/l/'.
    expect((await app(req('/l'))).body).toBe('connect:/l');
  });

  it('answers 404 when no prefix matches, and refuses a prefix without a leading slash', async () => {
    const app = routeByPrefix([{ prefix: '/l/', app: named('links') }]);
    const res = await app(req('/connect/google'));
    expect(res.status).toBe(404);
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(() => routeByPrefix([{ prefix: 'l/', app: named('links') }])).toThrow(/must start with '\/'/);
  });
});

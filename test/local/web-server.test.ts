import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type LocalWebServer } from '#lib/local/web-server.ts';
import type { WebRequest } from '#lib/web/http.ts';

describe('startWebServer', () => {
  const seen: WebRequest[] = [];
  let server: LocalWebServer;
  beforeAll(async () => {
    server = await startWebServer(async (req) => {
      seen.push(req);
      if (req.path === '/boom') throw new Error('bug');
      return {
        status: 201,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-app': 'yes' },
        cookies: ['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure'],
        body: `hello ${req.method} ${req.path}`,
      };
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on loopback and converts the request: path, query, headers, cookies, body, origin', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/l/tok.en?x=1&x=2&y=%C3%A9`, {
      method: 'POST',
      headers: { cookie: 'sid=abc; other=x%20y', 'content-type': 'application/x-www-form-urlencoded', 'X-Custom': 'Yes' },
      body: 'timeZone=Europe%2FParis',
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('hello POST /l/tok.en');
    expect(res.headers.get('x-app')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure']);
    const req = seen.at(-1)!;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/l/tok.en',
      query: { x: '1', y: 'é' },
      cookies: { sid: 'abc', other: 'x y' },
      body: 'timeZone=Europe%2FParis',
      origin: server.url,
    });
    expect(req.headers['x-custom']).toBe('Yes');
  });

  it('leaves the body undefined on a GET and answers 500 when the app throws', async () => {
    await fetch(`${server.url}/`);
    expect(seen.at(-1)!.body).toBeUndefined();
    const res = await fetch(`${server.url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('internal error: Error');
  });

  it('refuses a body over 64 KiB without calling the app', async () => {
    const before = seen.length;
    const res = await fetch(`${server.url}/big`, { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(res.status).toBe(413);
    expect(seen.length).toBe(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type RunningServe } from '#lib/cli/serve.ts';
import { GoogleOAuthEmulator, serveOnLoopback } from '#test/support/google/oauth-emulator.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';
import { startSmtpSink } from '#test/support/smtp-sink.ts';

/**
 * `sinew serve`'s connect page on one's own machine: anyone may sign up (loopback only),
 * and a mailbox joining the person is announced to both addresses over the configured
 * SMTP server, each email with a detach link answered by the same server; without SMTP
 * the join is stored and a line says no notice went out.
 */
const NOW = new Date('2026-11-23T07:00:00Z');

/** A browser: keeps the cookies the server sets, follows one connect through the emulator. */
class Browser {
  private readonly jar = new Map<string, string>();
  async get(url: string): Promise<Response> {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      if (/Max-Age=0/.test(line)) this.jar.delete(pair!.slice(0, eq));
      else this.jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  }
  async connect(url: string): Promise<Response> {
    const start = await this.get(url);
    expect(start.status, await start.clone().text()).toBe(302);
    const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    return this.get(consent.headers.get('location')!);
  }
}

describe('sinew serve: joins and their notices', () => {
  const saved = { ...process.env };
  const emulator = new GoogleOAuthEmulator({ ...TEST_CLIENT });
  let google: { url: string; close(): Promise<void> };
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;

  beforeAll(async () => {
    [google, sink] = await Promise.all([serveOnLoopback(emulator.handle), startSmtpSink()]);
    for (const k of ['SINEW_MS_CLIENT_ID', 'SINEW_BASE_URL', 'SINEW_DYNAMODB_ENDPOINT', 'SINEW_SMTP_URL']) delete process.env[k];
    process.env.SINEW_GOOGLE_CLIENT_ID = TEST_CLIENT.clientId;
    process.env.SINEW_GOOGLE_CLIENT_SECRET = TEST_CLIENT.clientSecret;
    process.env.SINEW_GOOGLE_AUTH_URL = `${google.url}/o/oauth2/v2/auth`;
    process.env.SINEW_GOOGLE_TOKEN_URL = `${google.url}/token`;
    process.env.SINEW_REPORT_FROM = 'sinew@example.com';
  });
  afterAll(async () => {
    process.env = saved;
    await google?.close();
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  });

  async function serve(smtp: boolean, printed: string[]): Promise<RunningServe> {
    if (smtp) process.env.SINEW_SMTP_URL = `smtp://127.0.0.1:${sink.port}`;
    else delete process.env.SINEW_SMTP_URL;
    return startServe({ data: '.unused', memory: true, port: 0 }, (l) => printed.push(l), () => NOW);
  }

  it('admits anyone, and emails both addresses of a join with a detach link it answers', async () => {
    const printed: string[] = [];
    const running = await serve(true, printed);
    try {
      const browser = new Browser();
      emulator.user = { email: 'me@somewhere.example', sub: 's-1' };
      const first = await browser.connect(`${running.url}/connect/google`);
      expect(first.status).toBe(200);
      const join = /href="(\/connect\/google\?join=[^"]+)"/.exec(await first.text())![1]!;

      emulator.user = { email: 'me.too@elsewhere.example', sub: 's-2' };
      const joined = await browser.connect(`${running.url}${join}`);
      expect(joined.status).toBe(200);
      expect(await joined.text()).toContain('This mailbox joins the reports of <strong>me@somewhere.example</strong>');
      await expect.poll(() => sink.received.length).toBe(2);
      expect(sink.received.map(({ mail: m }) => (Array.isArray(m.to) ? m.to[0] : m.to)!.text).sort()).toEqual(['me.too@elsewhere.example', 'me@somewhere.example']);
      const detach = new RegExp(`${running.url}/l/[A-Za-z0-9_.-]+`).exec(sink.received[0]!.mail.text ?? '')![0];
      const page = await fetch(detach);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Detach this mailbox');
      expect(printed.join('\n')).not.toContain('@');
    } finally {
      await running.close();
    }
  });

  it('without SMTP, stores the join and says no notice went out', async () => {
    const printed: string[] = [];
    const running = await serve(false, printed);
    try {
      const browser = new Browser();
      emulator.user = { email: 'solo@somewhere.example', sub: 's-3' };
      const join = /href="(\/connect\/google\?join=[^"]+)"/.exec(await (await browser.connect(`${running.url}/connect/google`)).text())![1]!;
      emulator.user = { email: 'solo2@elsewhere.example', sub: 's-4' };
      expect((await browser.connect(`${running.url}${join}`)).status).toBe(200);
      expect(printed).toContain('join notices skipped: no mailer configured');
    } finally {
      await running.close();
    }
  });
});

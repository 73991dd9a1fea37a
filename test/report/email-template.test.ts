import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mjmlOf, renderHtml } from '#lib/report/html.ts';
import { buildModel, type ReportModel } from '#lib/report/model.ts';
import { generatedModule, mjmlRender } from '#lib/report/email-template-compile.ts';
import { RECOMPILE_COMMAND, renderCompiled } from '#lib/report/email-template.ts';
import { EMAIL_TEMPLATE } from '#lib/report/email-template.generated.ts';
import { SinewError } from '#lib/errors.ts';
import { compileFromCoverage, coverageModels, GENERATED_FILE } from './compile-email-template.ts';
import { busyReport, contact, daysBefore, report } from './fixtures.ts';

/**
 * Issue 14: the weekly email's HTML comes from a template compiled at build time, with
 * no MJML at run time, and equals MJML's rendering of the same MJML byte for byte.
 */

let coverage: { name: string; model: ReportModel }[];
beforeAll(async () => {
  coverage = await coverageModels();
}, 30_000);

describe('the compiled weekly email template', () => {
  it('is what compiling html.ts’s MJML gives today (the committed file is not stale)', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8'), `stale: run ${RECOMPILE_COMMAND}`).toBe(generatedModule(await compileFromCoverage()));
  }, 30_000);

  it('renders the busy, empty and first weeks byte for byte as MJML does', async () => {
    expect(coverage.map((c) => c.name)).toEqual(expect.arrayContaining(['busy', 'empty', 'first']));
    for (const { name, model } of coverage) {
      const html = await renderHtml(model);
      expect(html.length, name).toBeGreaterThan(10_000);
      expect(html === (await mjmlRender(mjmlOf(model))), name).toBe(true);
    }
  });

  it('renders models it was not compiled from byte for byte too: hostile names, 300 contacts, a quiet first week', async () => {
    const hostile = report({
      contacts: [contact('evil@acme.com', { name: '<script>alert("x")</script> Evil &amp; co', health: 90 }), contact('o"neil@acme.com', { name: '  Ann <b>Lee</b>  ' })],
      owedReplies: [{ address: 'evil@acme.com', receivedAt: daysBefore(4), waitingDays: 4 }],
      accounts: [{ domain: 'acme.com', activeContacts: 2, health: 80, singleThreaded: true }],
    });
    const models = [
      buildModel(hostile, { links: { manage: 'https://sinew.example/m?a=1&b=2', reconnect: 'https://sinew.example/r' }, needsReconnect: ['me@example.com'] }),
      buildModel(busyReport(300), { previous: busyReport(250), timeZone: 'Asia/Tokyo' }),
      buildModel(report({ contacts: [contact('ann@acme.com', { name: 'Ann Lee', health: 75 })] })),
    ];
    for (const model of models) expect((await renderHtml(model)) === (await mjmlRender(mjmlOf(model)))).toBe(true);
  });

  it('refuses MJML it was not compiled for, naming the element and the command that recompiles', () => {
    const source = mjmlOf(coverage[0]!.model);
    const changed = source.replace('<mj-text font-size="13px" color="#616e7c">', '<mj-text font-size="13px" color="#ff0000">');
    expect(changed).not.toBe(source);
    expect(() => renderCompiled(EMAIL_TEMPLATE, changed)).toThrow(SinewError);
    expect(() => renderCompiled(EMAIL_TEMPLATE, changed)).toThrow(/mj-text font-size=\\"13px\\" color=\\"#ff0000\\".*was never compiled/);
    expect(() => renderCompiled(EMAIL_TEMPLATE, changed)).toThrow(RECOMPILE_COMMAND);
    const newHead = source.replace('<mj-section padding="0" />', '<mj-section padding="4px" />');
    expect(() => renderCompiled(EMAIL_TEMPLATE, newHead)).toThrow(/outside the sections/);
  });
});

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BRIEF_EMAIL, briefMjml, renderBriefHtml } from '#lib/brief/render-html.ts';
import { buildBriefModel } from '#lib/brief/render-model.ts';
import { mjmlRender } from '#lib/report/email-template-compile.ts';
import { renderCompiled } from '#lib/report/email-template.ts';
import { BRIEF_EMAIL_TEMPLATE } from '#lib/brief/email-template.generated.ts';
import { SinewError } from '#lib/errors.ts';
import { briefGeneratedModule, coverageSources, GENERATED_FILE } from './compile-email-template.ts';
import { ANN, known, oneMeetingBrief, signedBriefLinks, unknown } from './email-fixtures.ts';

/**
 * The brief email's HTML comes from a template compiled at build time with the weekly
 * email's machinery (no MJML at run time), from MJML that passes MJML's strict validation,
 * and equals MJML's own rendering byte for byte.
 */

let sources: string[];
beforeAll(() => {
  sources = coverageSources();
});

describe('the compiled brief email template', () => {
  it('is what compiling render-html.ts’s MJML gives today (the committed file is not stale)', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8'), `stale: run ${BRIEF_EMAIL.recompile}`).toBe(await briefGeneratedModule());
  }, 30_000);

  it('writes MJML that strict validation accepts, and renders it byte for byte as MJML does', async () => {
    expect(sources).toHaveLength(3);
    for (const source of sources) {
      // mjmlRender validates strictly and throws on any MJML error.
      const mjml = await mjmlRender(source);
      expect(renderCompiled(BRIEF_EMAIL_TEMPLATE, source, BRIEF_EMAIL) === mjml).toBe(true);
    }
  });

  it('renders briefs it was not compiled from byte for byte too: hostile names and notes, a first meeting alone', async () => {
    const base = oneMeetingBrief();
    const hostile = {
      ...base,
      meetings: [{
        ...base.meetings[0]!,
        attendees: [
          known('evil@acme.com', '<script>alert("x")</script> Evil &amp; co', { notes: [{ id: 'x', at: ANN.notes[0]!.at, text: '</mj-text><mj-raw>"\'<b>' }] }),
          unknown('o"neil@acme.com', '  Ann <b>Lee</b>  '),
        ],
      }],
    };
    for (const json of [hostile, { ...base, meetings: [{ ...base.meetings[0]!, attendees: [unknown('new@initech.io', null)], accounts: [] }] }]) {
      const model = buildBriefModel(json, { links: signedBriefLinks() });
      expect(renderBriefHtml(model) === (await mjmlRender(briefMjml(model)))).toBe(true);
    }
  });

  it('refuses MJML it was not compiled for, naming the brief’s template and the command that recompiles it', () => {
    const changed = sources[0]!.replace('<mj-text padding="14px 24px 6px">', '<mj-text padding="15px 24px 6px">');
    expect(changed).not.toBe(sources[0]);
    expect(() => renderCompiled(BRIEF_EMAIL_TEMPLATE, changed, BRIEF_EMAIL)).toThrow(SinewError);
    expect(() => renderCompiled(BRIEF_EMAIL_TEMPLATE, changed, BRIEF_EMAIL)).toThrow(/^meeting brief email template: .*was never compiled/);
    expect(() => renderCompiled(BRIEF_EMAIL_TEMPLATE, changed, BRIEF_EMAIL)).toThrow(BRIEF_EMAIL.recompile);
  });
});

import { createRequire } from 'node:module';
import mjml2html from 'mjml';
import { SinewError } from '#lib/errors.ts';
import {
  parseEmailMjml, renderCompiled, WEEKLY_EMAIL, type CompiledEmailTemplate, type Fragment, type Slot, type TemplateOrigin,
} from './email-template.ts';

/**
 * Build time only (never imported by code that ships): compiles an email's MJML (the
 * weekly report's by default, the brief's with its {@link TemplateOrigin}) into the
 * pieces lib/report/email-template.ts puts together at run time.
 *
 * How: each template source (the MJML html.ts writes for one report model) is rendered
 * once by MJML with markers in it: an `<mj-raw>` marker between sections and between a
 * column's blocks, a marker as each block's content, markers as the title and preview.
 * An `<mj-raw>` renders as its text alone and no element of the template reads its
 * siblings (only column gutters do, and the template sets none), so the output cut at
 * the markers gives, per section and per block, the HTML MJML writes around it; the
 * rest is the document's frame. The same element must give the same pieces in every
 * source, and each source rendered from the pieces must equal MJML's own rendering:
 * otherwise compiling fails.
 */

/** The options html.ts rendered with when it ran MJML at run time; the compiled pieces are MJML's output under them. */
export const MJML_OPTIONS = { validationLevel: 'strict', fonts: {}, keepComments: false } as const;

const MARK = {
  title: 'SinewMarkTitle',
  preview: 'SinewMarkPreview',
  section: 'SinewMarkSection',
  block: 'SinewMarkBlock',
  content: 'SinewMarkContent',
} as const;

const mjmlVersion = (createRequire(import.meta.url)('mjml/package.json') as { version: string }).version;

/** MJML's own rendering of a template source. */
export async function mjmlRender(source: string): Promise<string> {
  const result = await mjml2html(source, { ...MJML_OPTIONS });
  if (result.errors.length > 0) throw new SinewError(`MJML errors: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  return result.html;
}

/** The template source with markers for the parts that change. */
function markedSource(source: string, origin: TemplateOrigin): string {
  const email = parseEmailMjml(source, origin);
  const raw = (mark: string) => `<mj-raw>${mark}</mj-raw>`;
  const body = email.sections
    .map((s) => {
      const blocks = s.blocks.map((b) => `${raw(MARK.block)}${b.key}${MARK.content}</${tagName(b.key)}>`).join('');
      return `${raw(MARK.section)}${s.key}${blocks}${raw(MARK.block)}</mj-column></mj-section>`;
    })
    .join('');
  const marked = email.document
    .replace('<mj-title></mj-title>', `<mj-title>${MARK.title}</mj-title>`)
    .replace('<mj-preview></mj-preview>', `<mj-preview>${MARK.preview}</mj-preview>`)
    .replace(/(<mj-body[^>]*>)(<\/mj-body>)/, `$1${body}${raw(MARK.section)}$2`);
  if (!marked.includes(MARK.title) || !marked.includes(MARK.preview) || !marked.includes(MARK.section)) {
    throw new SinewError('email template compiler: the source has no title, preview or body to mark');
  }
  return marked;
}

function tagName(openTag: string): string {
  return /^<([a-z0-9-]+)/.exec(openTag)![1]!;
}

/** Text around one marker, which must occur exactly once. */
function splitOnce(text: string, mark: string, what: string): Fragment {
  const parts = text.split(mark);
  if (parts.length !== 2) throw new SinewError(`email template compiler: ${what} has ${parts.length - 1} content markers`);
  return { open: parts[0]!, close: parts[1]! };
}

/** Records a piece, or checks it is the piece already recorded for the same element. */
function keep(into: Record<string, Fragment>, key: string, fragment: Fragment): void {
  const known = into[key];
  if (known && (known.open !== fragment.open || known.close !== fragment.close)) {
    throw new SinewError(`email template compiler: ${key} renders differently in two places; it cannot be compiled to one piece`);
  }
  into[key] = fragment;
}

/** The frame: the output outside the sections, with title and preview markers as slots. */
function frameOf(html: string): CompiledEmailTemplate['frame'] {
  const first = html.indexOf(MARK.section);
  const last = html.lastIndexOf(MARK.section);
  const text = `${html.slice(0, first)}${MARK.content}${html.slice(last + MARK.section.length)}`;
  const marks: [string, Slot][] = [[MARK.title, 'title'], [MARK.preview, 'preview'], [MARK.content, 'content']];
  const found = marks
    .flatMap(([mark, slot]) => [...text.matchAll(new RegExp(mark, 'g'))].map((m) => ({ at: m.index, mark, slot })))
    .sort((a, b) => a.at - b.at);
  const parts: string[] = [];
  let at = 0;
  for (const f of found) {
    parts.push(text.slice(at, f.at));
    at = f.at + f.mark.length;
  }
  parts.push(text.slice(at));
  return { parts, slots: found.map((f) => f.slot) };
}

/**
 * Compiles template sources (every section and block the template can write must occur
 * in at least one) into the run-time template, and checks it on each source.
 */
export async function compileEmailTemplate(sources: readonly string[], origin: TemplateOrigin = WEEKLY_EMAIL): Promise<CompiledEmailTemplate> {
  if (sources.length === 0) throw new SinewError('email template compiler: no template sources');
  const sections: Record<string, Fragment> = {};
  const blocks: Record<string, Fragment> = {};
  let document: string | undefined;
  let frame: CompiledEmailTemplate['frame'] | undefined;
  for (const source of sources) {
    const email = parseEmailMjml(source, origin);
    if (document !== undefined && email.document !== document) {
      throw new SinewError('email template compiler: the sources differ outside their sections (head or body attributes)');
    }
    document = email.document;
    const html = await mjmlRender(markedSource(source, origin));
    const thisFrame = frameOf(html);
    if (frame && JSON.stringify(frame) !== JSON.stringify(thisFrame)) {
      throw new SinewError('email template compiler: the frame (head, styles) differs between sources; the sections must not change it');
    }
    frame = thisFrame;
    const rendered = html.split(MARK.section).slice(1, -1);
    if (rendered.length !== email.sections.length) throw new SinewError('email template compiler: MJML dropped or added a section');
    email.sections.forEach((section, i) => {
      const pieces = rendered[i]!.split(MARK.block);
      if (pieces.length !== section.blocks.length + 2) throw new SinewError(`email template compiler: MJML dropped or added a block in ${section.key}`);
      keep(sections, section.key, { open: pieces[0]!, close: pieces.at(-1)! });
      section.blocks.forEach((block, j) => keep(blocks, block.key, splitOnce(pieces[j + 1]!, MARK.content, block.key)));
    });
  }
  const template: CompiledEmailTemplate = { mjml: mjmlVersion, document: document!, frame: frame!, sections: sorted(sections), blocks: sorted(blocks) };
  for (const source of sources) {
    if (renderCompiled(template, source, origin) !== (await mjmlRender(source))) {
      throw new SinewError('email template compiler: a source rendered from the compiled pieces differs from MJML’s rendering');
    }
  }
  return template;
}

function sorted(record: Record<string, Fragment>): Record<string, Fragment> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The generated module's text (deterministic: the same template gives the same file). */
export function generatedModule(template: CompiledEmailTemplate, origin: TemplateOrigin = WEEKLY_EMAIL): string {
  const writer = origin.writer.slice(origin.writer.lastIndexOf('/') + 1);
  return `// Generated by \`${origin.recompile}\` from the MJML that ${origin.writer} writes (MJML ${template.mjml}).
// Do not edit: change ${writer} and recompile; ${origin.test} fails while this file is stale.
import type { CompiledEmailTemplate } from '${origin.importFrom}';

export const ${origin.constant}: CompiledEmailTemplate = ${JSON.stringify(template, null, 1)};
`;
}

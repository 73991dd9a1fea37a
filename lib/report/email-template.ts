import { SinewError } from '#lib/errors.ts';

/**
 * Sinew's emails without MJML at run time (issue 14), first the weekly one, now also the
 * meeting brief (lib/brief/render-html.ts, its own compiled template: {@link TemplateOrigin}). MJML (about 7 MB bundled,
 * 200 ms to import) made the report worker the largest and slowest Lambda; its output
 * for our template is fixed text around the parts that change. So MJML runs at build
 * time only (lib/report/email-template-compile.ts, on report models that use
 * every section and block the template has) and leaves, per MJML element of the
 * template, the HTML it writes before and after that element's content. At run time
 * {@link renderCompiled} reads the MJML source that html.ts writes (the one template,
 * still validated by MJML in the tests) and puts those pieces together, then does the two
 * text passes MJML does last (Outlook conditional comments: minified, then merged), so
 * the result is MJML's own output byte for byte (test/report/email-template.test.ts
 * compares the two on the busy, empty and first weeks and more).
 *
 * An element the compiled template has never seen (a new attribute, a new section) is a
 * {@link SinewError} naming it and the command that recompiles the template; the test
 * that regenerates the template and compares it with the committed one fails first.
 */

/** What MJML writes for one element: before its children or content, and after. */
export interface Fragment {
  open: string;
  close: string;
}

/** A named hole in the document's frame. */
export type Slot = 'title' | 'preview' | 'content';

/** The compiled template: the generated file holds one (lib/report/email-template.generated.ts). */
export interface CompiledEmailTemplate {
  /** The MJML version that wrote the fragments. */
  mjml: string;
  /** The MJML source with the body's sections and the title's and preview's text taken out: it must match. */
  document: string;
  /** The document's frame (doctype, head, body wrapper), text around the slots: `parts.length === slots.length + 1`. */
  frame: { parts: string[]; slots: Slot[] };
  /** Per `<mj-section ...><mj-column ...>` open tags (as written): the HTML around its blocks. */
  sections: Record<string, Fragment>;
  /** Per block open tag (`<mj-text ...>`, `<mj-table ...>`, as written): the HTML around its content. */
  blocks: Record<string, Fragment>;
}

/** The body as the template writes it: sections of one column each, holding text and table blocks. */
export interface ParsedEmail {
  /** The source outside the body's sections, title and preview text removed (the compiled `document`). */
  document: string;
  title: string;
  preview: string;
  sections: ParsedSection[];
}

export interface ParsedSection {
  /** The section's open tag followed by its column's, as written. */
  key: string;
  blocks: { key: string; content: string }[];
}

/** The command that rewrites the weekly email's generated template (named in errors). */
export const RECOMPILE_COMMAND = 'npx tsx test/report/compile-email-template.ts --write';

/**
 * Which email a compiled template belongs to, for its errors and its generated file: the
 * machinery is the same for every email Sinew sends (the weekly report, the meeting
 * brief); each has its own MJML writer, generated file and recompile command.
 */
export interface TemplateOrigin {
  /** How errors name the template: "weekly email". */
  name: string;
  /** The command that rewrites the generated file. */
  recompile: string;
  /** The module whose MJML the template is compiled from, from the repository root. */
  writer: string;
  /** The test that fails while the generated file is stale, from the repository root. */
  test: string;
  /** How the generated file imports this module's types. */
  importFrom: string;
  /** The name the generated file exports the compiled template under. */
  constant: string;
}

/** The weekly report's email (the default everywhere, so its generated file stays as it was). */
export const WEEKLY_EMAIL: TemplateOrigin = {
  name: 'weekly email',
  recompile: RECOMPILE_COMMAND,
  writer: 'lib/report/html.ts',
  test: 'test/report/email-template.test.ts',
  importFrom: './email-template.ts',
  constant: 'EMAIL_TEMPLATE',
};

/** MJML elements whose content is raw HTML (MJML's "ending tags"), as this template uses them. */
const BLOCKS = new Set(['mj-text', 'mj-table']);
const HEAD_TEXT = new Set(['mj-title', 'mj-preview']);

interface Element {
  name: string;
  /** The open tag as written, `<...>`. */
  openTag: string;
  start: number;
  /** Where the content or children begin (after the open tag). */
  inner: number;
  /** Where the content or children end (the close tag's `<`). */
  innerEnd: number;
  end: number;
  selfClosing: boolean;
  children: Element[];
}

const TAG = /<([a-z][a-z0-9-]*)((?:\s+[a-zA-Z-]+="[^"]*")*)\s*(\/?)>/y;

/**
 * Reads the subset of MJML the template writes: elements, attributes in double quotes,
 * whitespace between elements, raw content inside mj-text, mj-table, mj-title and
 * mj-preview (up to its close tag, trimmed, as MJML's parser takes it).
 */
function parseElement(source: string, at: number, origin: TemplateOrigin): Element {
  const templateError = (message: string): SinewError => errorOf(origin, message);
  TAG.lastIndex = at;
  const m = TAG.exec(source);
  if (!m) throw templateError(`expected an element at offset ${at}: ${JSON.stringify(source.slice(at, at + 40))}`);
  const name = m[1]!;
  const openTag = m[0];
  const inner = at + openTag.length;
  if (m[3] === '/') return { name, openTag, start: at, inner, innerEnd: inner, end: inner, selfClosing: true, children: [] };
  const close = `</${name}>`;
  if (BLOCKS.has(name) || HEAD_TEXT.has(name) || name === 'mj-raw') {
    const innerEnd = source.indexOf(close, inner);
    if (innerEnd < 0) throw templateError(`<${name}> at offset ${at} is not closed`);
    // MJML's parser counts nested MJML elements inside raw content; the template never writes any.
    if (/<mj-/.test(source.slice(inner, innerEnd))) throw templateError(`<${name}> at offset ${at} holds an MJML element`);
    return { name, openTag, start: at, inner, innerEnd, end: innerEnd + close.length, selfClosing: false, children: [] };
  }
  const children: Element[] = [];
  let i = inner;
  for (;;) {
    while (i < source.length && /\s/.test(source[i]!)) i++;
    if (source.startsWith(close, i)) return { name, openTag, start: at, inner, innerEnd: i, end: i + close.length, selfClosing: false, children };
    if (i >= source.length) throw templateError(`<${name}> at offset ${at} is not closed`);
    if (source[i] !== '<' || source[i + 1] === '/') throw templateError(`unexpected text in <${name}> at offset ${i}: ${JSON.stringify(source.slice(i, i + 40))}`);
    const child = parseElement(source, i, origin);
    children.push(child);
    i = child.end;
  }
}

/** Splits the template's MJML into the compiled template's key and the parts that change. */
export function parseEmailMjml(source: string, origin: TemplateOrigin = WEEKLY_EMAIL): ParsedEmail {
  const templateError = (message: string): SinewError => errorOf(origin, message);
  const root = parseElement(source, source.search(/\S/), origin);
  if (root.name !== 'mjml' || source.slice(root.end).trim() !== '') throw templateError('the document is not one <mjml> element');
  const head = root.children.find((c) => c.name === 'mj-head');
  const body = root.children.find((c) => c.name === 'mj-body');
  if (!head || !body) throw templateError('the document needs <mj-head> and <mj-body>');
  const title = head.children.find((c) => c.name === 'mj-title');
  const preview = head.children.find((c) => c.name === 'mj-preview');
  if (!title || !preview) throw templateError('the head needs <mj-title> and <mj-preview>');

  // The key: everything but the title's and preview's text and the body's sections, in source order.
  const cuts = [title, preview, body].map((e) => ({ from: e.inner, to: e.innerEnd })).sort((a, b) => a.from - b.from);
  let document = '';
  let at = 0;
  for (const cut of cuts) {
    document += source.slice(at, cut.from);
    at = cut.to;
  }
  document += source.slice(at);

  const sections = body.children.map((section): ParsedSection => {
    const column = section.children[0];
    if (section.name !== 'mj-section' || section.children.length !== 1 || column?.name !== 'mj-column') {
      throw templateError(`the body holds ${section.openTag} where the template writes <mj-section> with one <mj-column>`);
    }
    return {
      key: section.openTag + column.openTag,
      blocks: column.children.map((block) => {
        if (!BLOCKS.has(block.name) || block.selfClosing) throw templateError(`a column holds ${block.openTag}: only mj-text and mj-table are compiled`);
        return { key: block.openTag, content: source.slice(block.inner, block.innerEnd).trim() };
      }),
    };
  });
  return {
    document,
    title: source.slice(title.inner, title.innerEnd).trim(),
    preview: source.slice(preview.inner, preview.innerEnd).trim(),
    sections,
  };
}

/**
 * MJML's last two passes (mjml-core 5, lib/helpers/minifyOutlookConditionnals.js and
 * mergeOutlookConditionnals.js), the same regular expressions: spaces between tags
 * inside Outlook conditional comments go, and a conditional that closes just before
 * another opens is joined to it.
 */
export function minifyOutlookConditionals(content: string): string {
  return content.replace(/(<!--\[if\s[^\]]+]>)([\s\S]*?)(<!\[endif]-->)/gm, (_match, prefix: string, inner: string, suffix: string) => {
    const processed = inner.replace(/(^|>)(\s+)(<|$)/gm, (_m, before: string, _space: string, after: string) => `${before}${after}`).replace(/\s{2,}/gm, ' ');
    return `${prefix}${processed}${suffix}`;
  });
}

export function mergeOutlookConditionals(content: string): string {
  return content.replace(/(<!\[endif]-->\s*?<!--\[if mso \| IE]>)/gm, '');
}

/** Fills the frame's slots. */
export function fillFrame(frame: CompiledEmailTemplate['frame'], values: Record<Slot, string>): string {
  let out = frame.parts[0]!;
  frame.slots.forEach((slot, i) => {
    out += values[slot] + frame.parts[i + 1]!;
  });
  return out;
}

/** The HTML MJML would write for this template source, from the compiled pieces. */
export function renderCompiled(template: CompiledEmailTemplate, mjmlSource: string, origin: TemplateOrigin = WEEKLY_EMAIL): string {
  const templateError = (message: string): SinewError => errorOf(origin, message);
  const email = parseEmailMjml(mjmlSource, origin);
  if (email.document !== template.document) {
    throw templateError('the MJML outside the sections (head, attributes, body) is not what the template was compiled from');
  }
  // MJML leaves out the body's aria-label for an empty title and the preview block for an empty preview: the compiled frame has both.
  if (email.title === '' || email.preview === '') throw templateError('an email needs a title and a preview');
  let content = '';
  for (const section of email.sections) {
    const s = template.sections[section.key];
    if (!s) throw templateError(`the section ${JSON.stringify(section.key)} was never compiled`);
    content += s.open;
    for (const block of section.blocks) {
      const b = template.blocks[block.key];
      if (!b) throw templateError(`the block ${JSON.stringify(block.key)} was never compiled`);
      content += b.open + block.content + b.close;
    }
    content += s.close;
  }
  return mergeOutlookConditionals(fillFrame(template.frame, { title: email.title, preview: email.preview, content: minifyOutlookConditionals(content) }));
}

function errorOf(origin: TemplateOrigin, message: string): SinewError {
  return new SinewError(`${origin.name} template: ${message} (if the template changed on purpose, run \`${origin.recompile}\`)`);
}

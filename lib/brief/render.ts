import type { BriefJson } from './schema.ts';
import { buildBriefModel, type BriefRenderOptions } from './render-model.ts';
import { renderBriefHtml } from './render-html.ts';
import { renderBriefText } from './render-text.ts';

/**
 * The brief email (DESIGN section 9): a brief's JSON in, HTML, text and subject out. The
 * two parts come from one view model (render-model.ts), so they say the same thing.
 */

export type { BriefRenderOptions } from './render-model.ts';

interface RenderedBrief {
  html: string;
  text: string;
  subject: string;
}

/** Renders one brief's email. */
export function renderBrief(json: BriefJson, opts: BriefRenderOptions = {}): RenderedBrief {
  const model = buildBriefModel(json, opts);
  return { html: renderBriefHtml(model), text: renderBriefText(model), subject: model.subject };
}

/**
 * The slice of MJML v5 that Sinew uses. The package ships no types and `@types/mjml`
 * describes v4, whose mjml2html was synchronous; in v5 it returns a Promise.
 */
declare module 'mjml' {
  export interface MjmlError {
    line: number;
    message: string;
    tagName: string;
    formattedMessage: string;
  }

  export interface MjmlResult {
    html: string;
    errors: MjmlError[];
  }

  export interface MjmlOptions {
    /** `strict` throws on an invalid document; `soft` reports in `errors`. */
    validationLevel?: 'strict' | 'soft' | 'skip';
    /** Web fonts to link; `{}` links none. */
    fonts?: Record<string, string>;
    keepComments?: boolean;
    minify?: boolean;
    beautify?: boolean;
  }

  export default function mjml2html(mjml: string, options?: MjmlOptions): Promise<MjmlResult>;
}

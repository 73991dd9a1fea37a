import type { ParsedMail } from 'mailparser';

/** A header's raw value as received (mailparser folds `List-*` headers into one object). */
export function headerLine(parsed: ParsedMail, name: string): string | undefined {
  const line = parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line?.slice(line.indexOf(':') + 1).trim();
}

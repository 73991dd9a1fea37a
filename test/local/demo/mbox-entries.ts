/** Splits demo mbox text into messages and unfolded headers, for the tests' own checks. */

export interface Entry {
  separator: string;
  headers: Map<string, string[]>;
  body: string;
}

export function mboxEntries(mbox: string): Entry[] {
  return mbox.split(/^(?=From )/m).filter((s) => s.length > 0).map((raw) => {
    const [head, ...rest] = raw.split('\n\n');
    const lines = head!.replace(/\n[ \t]+/g, ' ').split('\n');
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(i + 1).trim()]);
    }
    return { separator: lines[0]!, headers, body: rest.join('\n\n') };
  });
}

export function first(e: Entry, name: string): string | undefined {
  return e.headers.get(name)?.[0];
}

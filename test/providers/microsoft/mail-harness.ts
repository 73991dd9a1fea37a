/**
 * Shared set-up for the Graph mail tests: the https emulator with a mailbox, a real
 * Graph client trusting the emulator's certificate, a Graph pacer on a virtual clock,
 * and a helper that drains a source's pages.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { graphClient } from '#lib/providers/microsoft/graph-client.ts';
import { GraphMailSource } from '#lib/providers/microsoft/mail.ts';
import type { GraphMailSourceOptions } from '#lib/providers/microsoft/mail.ts';
import type { MailItem } from '#lib/items/types.ts';
import type { SourcePage } from '#lib/providers/types.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { createGraphPacer } from '#lib/providers/microsoft/pacer.ts';
import type { GraphPacer, GraphPacerOptions } from '#lib/providers/microsoft/pacer.ts';
import { graphMailHandler } from '#test/support/microsoft/graph-mail.ts';
import type { GraphMailOptions } from '#test/support/microsoft/graph-mail.ts';
import { GraphMailbox } from '#test/support/microsoft/graph-mailbox.ts';
import { startMicrosoftEmulator } from '#test/support/microsoft/server.ts';
import type { MicrosoftEmulator, MicrosoftEmulatorOptions } from '#test/support/microsoft/server.ts';

/** 2026-11-23T07:00Z, the clock's start. */
export const AS_OF = Date.UTC(2026, 10, 23, 7);

export interface Harness {
  emulator: MicrosoftEmulator;
  clock: VirtualClock;
  client: Client;
  pacer: GraphPacer;
  source: (opts?: Partial<GraphMailSourceOptions>) => GraphMailSource;
  close: () => Promise<void>;
}

/** Starts the emulator serving `box` and wires a client, pacer and source factory to it. */
export async function harness(
  box: GraphMailbox,
  opts: { emulator?: MicrosoftEmulatorOptions; mail?: GraphMailOptions; pacer?: Partial<GraphPacerOptions>; token?: (o: { forceRefresh: boolean }) => string | Promise<string> } = {},
): Promise<Harness> {
  const clock = new VirtualClock(AS_OF);
  const emulator = await startMicrosoftEmulator({ clock, ...opts.emulator, handlers: [graphMailHandler(box, opts.mail)] });
  const client = graphClient({
    baseUrl: emulator.graphUrl,
    ca: emulator.ca,
    getAccessToken: async (o) => (opts.token ? opts.token(o) : 'token-1'),
  });
  const pacer = createGraphPacer({ clock, random: () => 0.5, ...opts.pacer });
  return {
    emulator,
    clock,
    client,
    pacer,
    source: (o = {}) => new GraphMailSource({ client, accountId: 'acct', pacer, clock, ...o }),
    close: () => emulator.close(),
  };
}

/** Every page of one pass from `cursor`. */
export async function drain(source: GraphMailSource, cursor?: string): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  for await (const page of source.pages(cursor)) pages.push(page);
  return pages;
}

/** Items of `pages` keyed by provider id, later pages winning (as the store keeps them). */
export function stored(pages: SourcePage[], into = new Map<string, MailItem>()): Map<string, MailItem> {
  for (const p of pages) for (const it of p.items) if (it.kind === 'mail') into.set(it.providerId, it);
  return into;
}

/** Adds note `n` from p`n`@client.example to `folder`, an hour older per `n`; its immutable id. */
export function addNote(box: GraphMailbox, folder: string, n: number): string {
  return box.addMessage({
    folder,
    receivedDateTime: new Date(AS_OF - (n + 1) * 3_600_000).toISOString(),
    subject: `Note ${n}`,
    from: { emailAddress: { name: `Person ${n}`, address: `p${n}@client.example` } },
    toRecipients: [{ emailAddress: { name: 'Me', address: 'me@example.com' } }],
    internetMessageId: `<n${n}@client.example>`,
    internetMessageHeaders: [],
  }).immutableId;
}

/** A mailbox with `perFolder` notes in the inbox, sent items, archive and deleted items. */
export function fourFolders(perFolder: number): GraphMailbox {
  const box = new GraphMailbox('me@example.com');
  let n = 0;
  for (const folder of ['inbox', 'sentitems', 'archive', 'deleteditems']) for (let i = 0; i < perFolder; i++) addNote(box, folder, n++);
  return box;
}

import type { Extraction, Interaction, UpcomingMeeting } from '#lib/interactions/types.ts';
import { HISTORY_DAYS } from '#lib/settings.ts';
import { DAY_MS } from '#lib/health/windows.ts';
import { mulberry32 } from '#lib/random.ts';

/**
 * Seeded synthetic interactions for tests and benchmarks: realistic enough to exercise
 * every path of the health stage (threads that alternate, replies named by Message-ID
 * or found by thread only, meetings, Cc-only and trashed inbound mail), cheap to make.
 */

const NO_REFERENCES: string[] = [];

/**
 * A Message-ID of realistic length. `toLowerCase` (as `normalizeMessageId` does) yields
 * a flat string, like parsed input, rather than the rope a template literal builds.
 */
function messageIdOf(i: number): string {
  return `CA${(i * 2654435761 >>> 0).toString(36)}.${i}@mail.synthetic.example`.toLowerCase();
}

/**
 * `n` interactions over the held history before `asOf`, sorted by time (strictly
 * increasing `at`, so the extraction's tie-break order holds trivially).
 *
 * About one contact per 50 interactions, with a skewed (roughly power-law) share of the
 * traffic; 5% meetings; mail continues the contact's open thread 70% of the time, mostly
 * answering the other side, naming the previous message in `replyTo` 60% of the time
 * (the rest must be paired by thread). One contact in ten is on a webmail domain and
 * organizations hold about eight contacts each.
 */
export function syntheticInteractions(n: number, seed: number, asOf: Date): Interaction[] {
  const rand = mulberry32(seed);
  const end = asOf.getTime() - 60_000;
  const span = HISTORY_DAYS * DAY_MS - 120_000;
  const start = end - span;
  const contactCount = Math.max(10, Math.round(n / 50));
  const addresses = Array.from({ length: contactCount }, (_, i) =>
    i % 10 === 9 ? `person${i}@gmail.com` : `p${i}@org${Math.floor(i / 8)}.example`,
  );
  // Per contact: open thread number (-1 none), last message id and direction in it.
  const openThread = new Int32Array(contactCount).fill(-1);
  const lastMessage = new Int32Array(contactCount).fill(-1);
  const lastSent = new Uint8Array(contactCount);
  let threads = 0;
  const out: Interaction[] = new Array(n);
  const step = span / Math.max(1, n);
  let at = start;
  for (let i = 0; i < n; i++) {
    at = Math.max(at + 1, Math.floor(start + (i + rand()) * step));
    const c = Math.min(contactCount - 1, Math.floor(contactCount * rand() * rand() * rand()));
    const contact = addresses[c]!;
    const itemKey = `synthetic#${i}`;
    if (rand() < 0.05) {
      out[i] = {
        contact, kind: 'meeting', at, itemKey, threadId: null, messageId: null,
        replyTo: NO_REFERENCES, toMe: false, trashed: false, minutes: rand() < 0.5 ? 30 : 60,
      };
      continue;
    }
    let sent: boolean;
    let replyTo = NO_REFERENCES;
    if (openThread[c]! >= 0 && rand() < 0.7) {
      sent = rand() < 0.8 ? lastSent[c] === 0 : lastSent[c] === 1;
      if (rand() < 0.6) replyTo = [messageIdOf(lastMessage[c]!)];
    } else {
      openThread[c] = threads++;
      sent = rand() < 0.5;
    }
    lastMessage[c] = i;
    lastSent[c] = sent ? 1 : 0;
    out[i] = {
      contact,
      kind: sent ? 'sent' : 'received',
      at,
      itemKey,
      threadId: `t${openThread[c]}`,
      messageId: messageIdOf(i),
      replyTo,
      toMe: !sent && rand() < 0.85,
      trashed: !sent && rand() < 0.05,
      minutes: 0,
    };
  }
  return out;
}

/** A whole `Extraction` around `syntheticInteractions`, with a few upcoming meetings. */
export function syntheticExtraction(n: number, seed: number, asOf: Date): Extraction {
  const interactions = syntheticInteractions(n, seed, asOf);
  const contacts = [...new Set(interactions.map((i) => i.contact))].sort();
  const rand = mulberry32(seed ^ 0x5eed);
  const upcoming: UpcomingMeeting[] = [];
  for (const contact of contacts) {
    if (rand() < 0.05) upcoming.push({ contact, at: asOf.getTime() + Math.floor(rand() * 14 * DAY_MS) + 1 });
  }
  return {
    interactions,
    upcoming,
    names: new Map(contacts.map((c) => [c, `Person ${c.slice(0, c.indexOf('@'))}`])),
    me: new Set(['me@example.com']),
    internalDomains: ['example.com'],
    excluded: { automated: 0, broadcast: 0, internal: 0, duplicates: 0 },
  };
}

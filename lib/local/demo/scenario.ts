import { normalizeAddress } from '#lib/items/normalize.ts';
import { CalendarWriter } from './calendar.ts';
import { BROADCAST_ONLY, COLLEAGUES, ME, ME_ALIAS, PEOPLE, SENDERS } from './cast.ts';
import { MailWriter } from './conversation.ts';
import type { DemoEvent, DemoExpectations, DemoMessage, Occurrence, Person } from './model.ts';
import { writeNoise } from './noise.ts';
import { Random } from '#lib/random.ts';
import { writeStories } from './stories.ts';
import { writeBriefDay } from './brief-day.ts';
import { nextWorkingMoment } from './zone.ts';

/**
 * The demo year as data: messages, calendar events and their occurrences, and the
 * expectations a report over them must meet. Deterministic for a given asOf and seed.
 */

/** The demo's fixed report time: a Monday, 07:00 UTC. */
export const DEMO_AS_OF = new Date('2026-11-23T07:00:00.000Z');
export const DEMO_SEED = 20261123;

export interface Scenario {
  asOf: Date;
  /** The user's addresses, normalized. */
  me: string[];
  /** Sorted by time. */
  messages: DemoMessage[];
  events: DemoEvent[];
  occurrences: Occurrence[];
  expectations: DemoExpectations;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const normalized = new Map<string, string>();
/** Normalized address of a person, memoized: settle() asks for it thousands of times. */
function norm(p: Person): string {
  let a = normalized.get(p.address);
  if (a === undefined) {
    a = normalizeAddress(p.address)!;
    normalized.set(p.address, a);
  }
  return a;
}
const ME_SET = new Set([norm(ME), norm(ME_ALIAS)]);
const isMe = (p: Person): boolean => ME_SET.has(norm(p));

/** Builds the demo scenario relative to `asOf`. */
export function buildScenario(asOf: Date, seed: number): Scenario {
  const rng = new Random(seed);
  const mail = new MailWriter(rng, asOf, ME, ME_ALIAS);
  const cal = new CalendarWriter();
  writeStories({ rng, mail, cal, asOf });
  const P = PEOPLE;
  // Random cadences can end on an unanswered message near asOf, which would raise a flag
  // the story does not intend; settle those contacts with one more reply.
  for (const person of [P.priya, P.tom, P.maria, P.ava, P.nadia, P.rebecca, P.emma, P.lukas]) settle(mail, rng, person, asOf);
  // Story mail can be automated too (an out-of-office reply): it is excluded like noise.
  const storyAutomated = mail.messages.filter((m) =>
    (m.extraHeaders ?? []).some(([k]) => k.toLowerCase() === 'auto-submitted')).length;
  const noise = writeNoise(rng, mail, asOf);
  // After every seeded draw, so the rest of the demo is byte for byte what it was.
  writeBriefDay(cal, asOf);
  const internalDomain = 'northwind-consulting.com';
  const internal = mail.messages.filter((m) =>
    [m.from, ...m.to, ...m.cc].every((p) => p.address.toLowerCase().endsWith(`@${internalDomain}`))).length;
  mail.messages.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.messageId < b.messageId ? -1 : 1));
  const occurrences = [...cal.occurrences].sort((a, b) => a.start.getTime() - b.start.getTime());

  const n = (...people: Person[]): string[] => people.map(norm);
  const healthy = n(P.priya, P.tom, P.maria, P.ava, P.emma);
  const expectations: DemoExpectations = {
    asOf: asOf.toISOString(),
    me: [...ME_SET],
    fading: { include: n(P.oliver), exclude: [...n(P.sofia, P.nadia, P.rebecca), ...healthy] },
    owedReplies: {
      include: n(P.james, P.johnTagged, P.chloe),
      exclude: [...n(P.lukas, P.hannah, P.nadia, P.rebecca), ...healthy],
    },
    awaitingReply: {
      include: n(P.hannah, P.ethan),
      exclude: [...n(P.nadia, P.rebecca, P.james, P.chloe, P.johnTagged), ...healthy],
    },
    noFaceTime: {
      include: n(P.rebecca, P.hannah, P.ethan, P.johnTagged),
      exclude: [...n(P.oliver, P.sofia, P.lukas, P.nadia, P.james, P.chloe), ...healthy],
    },
    singleThreaded: { include: ['halcyonhealth.org'], exclude: ['acme-logistics.com', 'orbital-analytics.io'] },
    warming: n(P.nadia),
    healthy,
    excluded: {
      automated: Object.values(SENDERS).map(norm),
      broadcast: BROADCAST_ONLY.map(norm),
      internal: Object.values(COLLEAGUES).map(norm),
    },
    merged: mergedSpellings([...Object.values(PEOPLE)]),
    excludedMessages: { automated: noise.automated + storyAutomated, broadcast: noise.broadcast, internal, duplicates: noise.duplicates },
    counts: {
      messages: mail.messages.length,
      events: cal.events.length,
      pastOccurrences: occurrences.filter((o) => o.start.getTime() < asOf.getTime()).length,
    },
  };
  return { asOf, me: [...ME_SET], messages: mail.messages, events: cal.events, occurrences, expectations };
}

/** Normalized address → raw spellings, for addresses written more than one way. */
function mergedSpellings(people: Person[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of people) {
    const key = norm(p);
    if (p.address === key && !people.some((q) => q !== p && norm(q) === key)) continue;
    (out[key] ??= []).push(p.address);
  }
  return out;
}

/**
 * Ends a random cadence cleanly: answers two or more recent unanswered messages of the
 * user (else "awaiting reply"), then answers the contact's latest message if it is an
 * unanswered one from the last fortnight (else "owed reply").
 */
function settle(mail: MailWriter, rng: Random, person: Person, asOf: Date): void {
  const c = norm(person);
  const inbound = (m: DemoMessage): boolean => norm(m.from) === c;
  const toMe = (m: DemoMessage): boolean => inbound(m) && m.to.some(isMe);
  const outbound = (m: DemoMessage): boolean => isMe(m.from) && [...m.to, ...m.cc].some((p) => norm(p) === c);
  const byTime = (): DemoMessage[] => [...mail.messages].sort((a, b) => a.at.getTime() - b.at.getTime());
  const cap = (t: Date, after: Date): Date =>
    new Date(Math.max(after.getTime() + 60_000, Math.min(t.getTime(), asOf.getTime() - HOUR / 2)));

  let all = byTime();
  const lastIn = all.filter(inbound).at(-1);
  const chasing = all.filter((m) => outbound(m) && m.at.getTime() >= asOf.getTime() - 31 * DAY
    && (!lastIn || m.at.getTime() > lastIn.at.getTime()));
  if (chasing.length >= 2) {
    const latest = chasing.at(-1)!;
    mail.reply(latest, person, cap(nextWorkingMoment(new Date(latest.at.getTime() + rng.between(1, 6) * HOUR), person.tz, 9), latest.at), { to: latest.from });
  }
  all = byTime();
  const lastToMe = all.filter(toMe).at(-1);
  if (!lastToMe || lastToMe.at.getTime() < asOf.getTime() - 15 * DAY) return;
  if (all.some((m) => outbound(m) && m.at.getTime() > lastToMe.at.getTime())) return;
  const mine = lastToMe.to.find(isMe) ?? ME;
  mail.reply(lastToMe, mine, cap(nextWorkingMoment(new Date(lastToMe.at.getTime() + rng.between(0.5, 4) * HOUR), ME.tz, 9), lastToMe.at));
}

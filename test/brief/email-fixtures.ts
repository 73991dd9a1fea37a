import { briefJsonSchema, type BriefAccount, type BriefAttendee, type BriefJson, type BriefMeeting } from '#lib/brief/schema.ts';
import type { BriefRenderOptions } from '#lib/brief/render.ts';
import { briefLinksFor } from '#lib/links/brief-links.ts';

/**
 * Hand-made briefs (valid against the brief JSON schema) for the brief email's tests: a
 * day with one meeting, a day with five meetings of up to eight external attendees (known
 * and first-met people, webmail, several organizations in one meeting, notes, colleagues,
 * open loops both ways), a day without meetings, and hostile text.
 */

export const BRIEF_DATE = '2026-11-24';
export const BRIEF_ZONE = 'Europe/Paris';
/** 07:00 in Paris on the brief's day. */
export const BRIEF_AS_OF = '2026-11-24T06:00:00.000Z';
export const LINK_SECRET = Buffer.alloc(32, 5);
export const LINK_BASE = 'https://sinew.example';

const DAY = 86_400_000;
const daysBefore = (days: number, hour = 9): string => new Date(Date.parse('2026-11-24T00:00:00.000Z') - days * DAY + hour * 3_600_000).toISOString();
const at = (hhmm: string): string => new Date(`2026-11-24T${hhmm}:00.000+01:00`).toISOString();

/** A known attendee with every figure; override what the case needs. */
export function known(address: string, name: string | null, overrides: Partial<BriefAttendee> = {}): BriefAttendee {
  return {
    address,
    name,
    domain: address.split('@')[1]!,
    known: true,
    health: 74,
    trend: 'steady',
    initiative: 'mutual',
    firstInteraction: daysBefore(300),
    lastInteraction: daysBefore(12),
    lastDirection: 'received',
    lastMeeting: daysBefore(40),
    cadenceDays: 6,
    reciprocity: 0.8,
    replyHours: { mine: 5.5, theirs: 20.1 },
    owed: [],
    awaiting: [],
    notes: [],
    colleagues: [],
    ...overrides,
  };
}

/** Someone Sinew has never seen: `known: false` and nulls. */
export function unknown(address: string, name: string | null, overrides: Partial<BriefAttendee> = {}): BriefAttendee {
  return {
    address, name, domain: address.split('@')[1]!, known: false,
    health: null, trend: null, initiative: null, firstInteraction: null, lastInteraction: null, lastDirection: null,
    lastMeeting: null, cadenceDays: null, reciprocity: null, replyHours: { mine: null, theirs: null },
    owed: [], awaiting: [], notes: [], colleagues: [],
    ...overrides,
  };
}

/** Monday's weekly report, 07:00 in Paris: where a brief's account lines are read from. */
export const REPORT_AS_OF = '2026-11-23T06:00:00.000Z';

function account(domain: string, health: number | null, activeContacts: number, singleThreaded = false, asOf = REPORT_AS_OF): BriefAccount {
  return { domain, health, activeContacts, singleThreaded, asOf };
}

function meeting(start: string, end: string, attendees: BriefAttendee[], accounts: BriefAccount[]): BriefMeeting {
  return { start: at(start), end: at(end), attendees, accounts };
}

function brief(meetings: BriefMeeting[], user = 'me@example.com'): BriefJson {
  return briefJsonSchema.parse({
    user,
    date: BRIEF_DATE,
    timeZone: BRIEF_ZONE,
    lastSynced: [{ account: user, at: '2026-11-24T05:30:00.000Z' }],
    meetings,
  });
}

export const ANN = known('ann@acme.com', 'Ann Lee', {
  owed: [{ receivedAt: daysBefore(4, 15) }],
  lastInteraction: daysBefore(4, 15),
  notes: [
    { id: 'n1', at: daysBefore(30), text: 'Daughter starts university in September.' },
    { id: 'n2', at: daysBefore(2), text: 'Prefers calls before 10.\nAsk about the Lyon warehouse.' },
  ],
});

/** One meeting, one attendee. */
export function oneMeetingBrief(): BriefJson {
  return brief([meeting('10:00', '10:30', [ANN], [account('acme.com', 70, 3)])]);
}

const LONG = 'procurement.department.head.of.operations@very-long-organisation-name-international.co.uk';

const FIRST = ['Kai', 'Mara', 'Olu', 'Ines', 'Theo', 'Yuki', 'Bram', 'Lior', 'Sana', 'Ravi', 'Noor', 'Femi', 'Ada', 'Jonas', 'Wen', 'Ilse', 'Pablo', 'Zara', 'Hugo', 'Maya'];
const LAST = ['Berg', 'Okafor', 'Silva', 'Nakamura', 'Rossi', 'Haddad', 'Kowalski', 'Lindqvist', 'Moreau', 'Novak'];

/** `n` more known attendees at `domain`, each with figures, one open loop and a note, named distinctly. */
function colleaguesAt(domain: string, from: number, n: number): BriefAttendee[] {
  return Array.from({ length: n }, (_, i) => {
    const k = from + i;
    const name = `${FIRST[k % FIRST.length]} ${LAST[(k * 3) % LAST.length]}`;
    return known(`${name.toLowerCase().replace(' ', '.')}@${domain}`, name, {
      health: 40 + ((k * 7) % 55),
      cadenceDays: 4 + (k % 20),
      owed: k % 3 === 0 ? [{ receivedAt: daysBefore(2 + (k % 5)) }] : [],
      awaiting: k % 4 === 0 ? [{ sentAt: daysBefore(6 + (k % 7)) }] : [],
      notes: k % 2 === 0 ? [{ id: `f${k}`, at: daysBefore(3 + k), text: 'Met at the Lisbon conference; prefers calls before 10 and short agendas.' }] : [],
    });
  });
}

/**
 * Five meetings of eight external attendees each (the most issue 12 asks the email to
 * carry), from four organizations and public webmail, known and first-met people, notes,
 * colleagues and open loops both ways.
 */
export function fiveMeetingBrief(): BriefJson {
  const acme = account('acme.com', 70, 3);
  const globex = account('globex.com', 45, 1, true);
  const initech = account('initech.io', null, 0, false, BRIEF_AS_OF);
  const long = account('very-long-organisation-name-international.co.uk', 52, 2);
  const raj = known('raj.patel@globex.com', 'Raj Patel', {
    health: 45, trend: 'cooling', initiative: 'you-chase', lastDirection: 'sent', lastInteraction: daysBefore(3),
    awaiting: [{ sentAt: daysBefore(9) }, { sentAt: daysBefore(3) }], reciprocity: 0.25, replyHours: { mine: 2, theirs: null },
    colleagues: [{ name: 'Sam Lee', tier: 'strong', lastInteraction: '2026-11-03' }, { name: 'Kim Ode', tier: 'weak', lastInteraction: '2026-08-14' }],
  });
  const lena = unknown('lena.fox@globex.com', 'Lena Fox');
  const big = [
    ANN,
    known('tom.becker@acme.com', 'Becker, Tom', { owed: [{ receivedAt: daysBefore(10) }, { receivedAt: daysBefore(1, 18) }], initiative: 'they-chase', trend: 'warming' }),
    known('priya@acme.com', 'Priya', { cadenceDays: null, lastMeeting: null, replyHours: { mine: 0.5, theirs: 60 } }),
    raj,
    lena,
    unknown('new.person@initech.io', null),
    known('emmaclarke@gmail.com', 'Emma Clarke', { lastDirection: 'meeting', notes: [{ id: 'n3', at: daysBefore(1), text: 'Freelance designer; invoices in EUR.' }] }),
    known(LONG, 'Maximiliane-Konstantina Oberbürgermeisterstellvertreterin', {
      notes: [{ id: 'n4', at: daysBefore(5), text: `Portal: ${'https://procurement.very-long-organisation-name-international.co.uk/tenders/2026/'.repeat(2)}` }],
    }),
  ];
  return brief([
    meeting('08:30', '09:00', [ANN, ...colleaguesAt('acme.com', 0, 7)], [acme]),
    meeting('10:00', '11:30', big, [acme, globex, initech, long]),
    meeting('13:00', '13:45', [raj, lena, ...colleaguesAt('globex.com', 7, 6)], [globex]),
    meeting('15:00', '15:30', [unknown('sue@initech.io', 'Sue Park'), ...colleaguesAt('initech.io', 13, 7)], [initech]),
    meeting('17:30', '18:00', [known('emmaclarke@gmail.com', 'Emma Clarke'), known('jdoe@gmail.com', 'John Doe', { health: 30, trend: 'cooling' }), ...colleaguesAt('very-long-organisation-name-international.co.uk', 20, 6)], [long]),
  ]);
}

/** A day without briefed meetings (the CLI may still render it). */
export function emptyBrief(): BriefJson {
  return brief([]);
}

/** Signed links of one person's brief, as the service issues them. */
export function signedBriefLinks(userId = 'u-brief'): ReturnType<typeof briefLinksFor> {
  return briefLinksFor({ baseUrl: LINK_BASE, secret: LINK_SECRET, userId, now: new Date(BRIEF_AS_OF) });
}

/** Render options with everything on: signed links, a stale mailbox and one to reconnect. */
export function everythingOn(): BriefRenderOptions {
  return {
    links: signedBriefLinks(),
    mailboxes: [
      { address: 'me@example.com', provider: 'google', freshness: { state: 'fresh', lastSyncAt: '2026-11-24T05:30:00.000Z' } },
      { address: 'old@example.com', provider: 'microsoft', freshness: { state: 'stale', lastSyncAt: '2026-11-20T05:30:00.000Z', failingSince: '2026-11-20T06:00:00.000Z' } },
      { address: 'gone@example.com', provider: 'google', freshness: { state: 'needs-reconnect', lastSyncAt: '2026-11-18T05:30:00.000Z' } },
    ],
  };
}

/** The briefs the compiled template is compiled from: together they write every section and block. */
export function coverageBriefs(): { name: string; json: BriefJson; options: BriefRenderOptions }[] {
  return [
    { name: 'one meeting', json: oneMeetingBrief(), options: { links: signedBriefLinks() } },
    { name: 'five meetings, everything on', json: fiveMeetingBrief(), options: everythingOn() },
    { name: 'no meetings', json: emptyBrief(), options: {} },
  ];
}

import { describe, expect, it } from 'vitest';
import { computeHealth } from '#lib/health/index.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import type { Item } from '#lib/items/types.ts';
import { briefJsonSchema } from '#lib/brief/schema.ts';
import { defaultSettings } from '#lib/settings.ts';
import { AS_OF, ME, attendeeOf, briefOf, daysAgo, hoursAgo, mail, meeting, meetingWith, accepted } from './world.ts';

const ANN = 'ann@partner.io';
const MEETING_AT = '2026-11-24T09:00:00.000Z';
const sentTo = (to: string, at: string, o: Parameters<typeof mail>[0] = {}) => mail({ from: ME, to: [to], at, ...o });
const from = (who: string, at: string, o: Parameters<typeof mail>[0] = {}) => mail({ from: who, to: [ME], at, ...o });

/** The weekly report's row for a contact at the same instant (the figures the brief must repeat). */
function reportRow(items: Item[], address: string) {
  const extraction = extractInteractions(items, { asOf: AS_OF, settings: defaultSettings, me: [], accountAddresses: [ME] });
  return computeHealth(extraction, { asOf: AS_OF, settings: defaultSettings }).contacts.find((c) => c.address === address)!;
}

/** Ann: six months of threads answered both ways, a meeting a month ago. */
function annHistory(): Item[] {
  const items: Item[] = [];
  for (let k = 0; k < 12; k++) {
    const thread = `ann-${k}`;
    const days = 180 - k * 14;
    const q = from(ANN, daysAgo(days), { threadId: thread, names: { [ANN]: 'Ann Lee' } });
    items.push(q, sentTo(ANN, daysAgo(days - 0.2), { threadId: thread, replyTo: [q.messageId!] }));
  }
  items.push(meetingWith(daysAgo(30), [ANN]));
  return items;
}

describe('per attendee (DESIGN section 9)', () => {
  it('gives an attendee Sinew never saw known:false and nulls, with the invitation name', () => {
    const m = meetingWith(MEETING_AT, [], { attendees: [...accepted(ME), { address: 'new@stranger.io', name: 'Nina Ode', response: 'accepted' }] });
    const brief = briefOf([m]);
    expect(attendeeOf(brief, 'new@stranger.io')).toEqual({
      address: 'new@stranger.io', name: 'Nina Ode', domain: 'stranger.io', known: false,
      health: null, trend: null, initiative: null, firstInteraction: null, lastInteraction: null,
      lastDirection: null, lastMeeting: null, cadenceDays: null, reciprocity: null,
      replyHours: { mine: null, theirs: null }, owed: [], awaiting: [], notes: [], colleagues: [],
    });
    // What Sinew knows of their organization: nothing yet.
    expect(brief.meetings[0]!.accounts).toEqual([{ domain: 'stranger.io', health: null, activeContacts: 0, singleThreaded: false, asOf: AS_OF.toISOString() }]);
    expect(briefJsonSchema.parse(brief)).toEqual(brief);
  });

  it('repeats the weekly report figures for a known attendee, as of 07:00 local', () => {
    const items = [...annHistory(), meetingWith(MEETING_AT, [ANN])];
    const a = attendeeOf(briefOf(items), ANN);
    const row = reportRow(items, ANN);
    expect(a).toMatchObject({
      known: true, name: 'Ann Lee', domain: 'partner.io',
      health: row.health, trend: row.trend, initiative: row.initiative,
      firstInteraction: row.firstInteraction, lastInteraction: row.lastInteraction,
      cadenceDays: row.cadenceDays, reciprocity: row.reciprocity, replyHours: row.replyHours,
      lastDirection: 'sent', lastMeeting: daysAgo(30),
    });
    expect(a.replyHours.mine).toBeCloseTo(4.8, 5);
  });

  it('says whether the last interaction was mail from them, mail to them or a meeting', () => {
    const base = annHistory();
    const briefed = meetingWith(MEETING_AT, [ANN]);
    expect(attendeeOf(briefOf([...base, from(ANN, daysAgo(2)), briefed]), ANN).lastDirection).toBe('received');
    expect(attendeeOf(briefOf([...base, sentTo(ANN, daysAgo(2)), briefed]), ANN)).toMatchObject({ lastDirection: 'sent', lastInteraction: daysAgo(2) });
    // A breakfast meeting at 06:00 local, before the brief's 07:00, is already the last interaction.
    const breakfast = meetingWith('2026-11-24T05:00:00.000Z', [ANN]);
    expect(attendeeOf(briefOf([...base, sentTo(ANN, daysAgo(2)), breakfast, briefed]), ANN)).toMatchObject({
      lastDirection: 'meeting', lastMeeting: '2026-11-24T05:00:00.000Z',
    });
  });

  it('names a known attendee silent for longer than the window, with figures', () => {
    const old = [from(ANN, daysAgo(200)), sentTo(ANN, daysAgo(199)), from(ANN, daysAgo(150))];
    const a = attendeeOf(briefOf([...old, meetingWith(MEETING_AT, [ANN])]), ANN);
    expect(a).toMatchObject({ known: true, lastInteraction: daysAgo(150), lastDirection: 'received', firstInteraction: daysAgo(200), reciprocity: null });
    expect(a.health).not.toBeNull();
  });
});

describe('open loops', () => {
  const briefed = meetingWith(MEETING_AT, [ANN]);

  it('owes a reply to a message received 3 hours before asOf (no 48-hour floor), oldest first', () => {
    const items = [sentTo(ANN, daysAgo(10)), from(ANN, daysAgo(5)), from(ANN, hoursAgo(3)), briefed];
    expect(attendeeOf(briefOf(items), ANN).owed).toEqual([{ receivedAt: daysAgo(5) }, { receivedAt: hoursAgo(3) }]);
    // The weekly report, with its floor, would not list the 3-hour-old one.
    const extraction = extractInteractions(items, { asOf: AS_OF, settings: defaultSettings, me: [], accountAddresses: [ME] });
    expect(computeHealth(extraction, { asOf: AS_OF, settings: defaultSettings }).owedReplies.map((o) => o.receivedAt)).toEqual([daysAgo(5)]);
  });

  it('keeps the other owed rules: Me in To, answered later, written to before, within 14 days', () => {
    const answered = [sentTo(ANN, daysAgo(10)), from(ANN, daysAgo(5)), sentTo(ANN, daysAgo(4)), briefed];
    expect(attendeeOf(briefOf(answered), ANN).owed).toEqual([]);
    expect(attendeeOf(briefOf([from(ANN, daysAgo(5)), briefed]), ANN).owed).toEqual([]);
    expect(attendeeOf(briefOf([sentTo(ANN, daysAgo(10)), mail({ from: ANN, to: ['x@acme.com'], cc: [ME], at: daysAgo(1) }), briefed]), ANN).owed).toEqual([]);
    expect(attendeeOf(briefOf([sentTo(ANN, daysAgo(20)), from(ANN, daysAgo(15)), briefed]), ANN).owed).toEqual([]);
  });

  it('lists each unanswered message of the 30 days before, oldest first (awaiting)', () => {
    const items = [sentTo(ANN, daysAgo(31)), from(ANN, daysAgo(25)), sentTo(ANN, daysAgo(20)), sentTo(ANN, daysAgo(2)), briefed];
    expect(attendeeOf(briefOf(items), ANN).awaiting).toEqual([{ sentAt: daysAgo(20) }, { sentAt: daysAgo(2) }]);
    // One unanswered message already counts (the weekly flag needs two).
    expect(attendeeOf(briefOf([sentTo(ANN, daysAgo(3)), briefed]), ANN).awaiting).toEqual([{ sentAt: daysAgo(3) }]);
  });

  it('matches the weekly awaitingReply count when it flags one', () => {
    const items = [sentTo(ANN, daysAgo(20)), sentTo(ANN, daysAgo(12)), sentTo(ANN, daysAgo(2)), briefed];
    const extraction = extractInteractions(items, { asOf: AS_OF, settings: defaultSettings, me: [], accountAddresses: [ME] });
    const flag = computeHealth(extraction, { asOf: AS_OF, settings: defaultSettings }).awaitingReply[0]!;
    const awaiting = attendeeOf(briefOf(items), ANN).awaiting;
    expect(awaiting).toHaveLength(flag.unansweredCount);
    expect(awaiting[0]!.sentAt).toBe(flag.firstSentAt);
  });

  it('closes loops at a meeting: nothing owed or awaited from before it', () => {
    const items = [sentTo(ANN, daysAgo(10)), from(ANN, daysAgo(6)), sentTo(ANN, daysAgo(5)), from(ANN, daysAgo(4)), meetingWith(daysAgo(3), [ANN]), briefed];
    expect(attendeeOf(briefOf(items), ANN)).toMatchObject({ owed: [], awaiting: [], lastDirection: 'meeting' });
    // Without the meeting both loops are open.
    const open = attendeeOf(briefOf(items.filter((i) => i.kind === 'mail' || i === briefed)), ANN);
    expect(open.owed).toEqual([{ receivedAt: daysAgo(4) }]);
    const awaited = [sentTo(ANN, daysAgo(10)), sentTo(ANN, daysAgo(5))];
    expect(attendeeOf(briefOf([...awaited, briefed]), ANN).awaiting).toHaveLength(2);
    expect(attendeeOf(briefOf([...awaited, meetingWith(daysAgo(7), [ANN]), briefed]), ANN).awaiting).toEqual([{ sentAt: daysAgo(5) }]);
  });

  it('closes loops at a meeting held earlier on the day, before the brief', () => {
    const items = [sentTo(ANN, daysAgo(10)), from(ANN, hoursAgo(10)), meetingWith('2026-11-24T05:00:00.000Z', [ANN]), briefed];
    expect(attendeeOf(briefOf(items), ANN).owed).toEqual([]);
  });
});

describe('per organization', () => {
  it('gives one account line per organization in a meeting, none for webmail attendees', () => {
    const two = (who: string, days: number) => [from(who, daysAgo(days)), sentTo(who, daysAgo(days - 1))];
    const items = [
      ...two(ANN, 20),
      from('pat@partner.io', daysAgo(10)), // one-way: not an active relationship
      ...two('old@partner.io', 300), // held history only
      ...two('carl@client.com', 12),
      ...two('cleo@client.com', 8),
      ...two('dee@gmail.com', 5),
      meetingWith(MEETING_AT, [ANN, 'carl@client.com', 'dee@gmail.com']),
    ];
    const m = briefOf(items).meetings[0]!;
    expect(m.attendees.map((a) => a.address)).toEqual(['carl@client.com', 'dee@gmail.com', ANN]);
    const client = reportRows(items, ['carl@client.com', 'cleo@client.com']);
    expect(m.accounts).toEqual([
      { domain: 'client.com', health: Math.max(...client), activeContacts: 2, singleThreaded: false, asOf: AS_OF.toISOString() },
      { domain: 'partner.io', health: reportRows(items, [ANN])[0], activeContacts: 1, singleThreaded: true, asOf: AS_OF.toISOString() },
    ]);
  });
});

describe('notes and colleagues (inputs)', () => {
  it('shows every note on an attendee newest first, and the colleagues the lookup gives', () => {
    const notes = new Map([[ANN, [
      { id: 'n1', at: '2026-10-01T08:00:00.000Z', text: 'prefers calls before 10' },
      { id: 'n3', at: '2026-11-20T08:00:00.000Z', text: 'daughter starts university in September' },
      { id: 'n2', at: '2026-11-02T08:00:00.000Z', text: 'met at the Lyon fair' },
    ]]]);
    const asked: string[] = [];
    const brief = briefOf([meetingWith(MEETING_AT, [ANN, 'bo@other.io'])], {
      notes,
      colleagues: (address, domain) => {
        asked.push(`${address} ${domain}`);
        return address === ANN ? [{ name: 'Sam Lee', tier: 'strong', lastInteraction: '2026-11-03' }] : [];
      },
    });
    expect(attendeeOf(brief, ANN).notes.map((n) => n.id)).toEqual(['n3', 'n2', 'n1']);
    expect(attendeeOf(brief, ANN).colleagues).toEqual([{ name: 'Sam Lee', tier: 'strong', lastInteraction: '2026-11-03' }]);
    expect(attendeeOf(brief, 'bo@other.io')).toMatchObject({ notes: [], colleagues: [] });
    expect(asked.sort()).toEqual(['ann@partner.io partner.io', 'bo@other.io other.io']);
  });
});

function reportRows(items: Item[], addresses: string[]): number[] {
  return addresses.map((a) => reportRow(items, a).health);
}

it('keeps meeting() defaults out of the day (sanity of the builders)', () => {
  expect(briefOf([meeting({ attendees: accepted(ME, ANN) })]).meetings).toEqual([]);
});

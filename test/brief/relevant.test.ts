import { describe, expect, it } from 'vitest';
import { accountLines, organizationOf } from '#lib/brief/accounts.ts';
import { awaitingOf, historiesOf } from '#lib/brief/attendees.ts';
import { briefReads, briefedMeetingsOf, meetingsReads } from '#lib/brief/compute.ts';
import { relevantItems } from '#lib/brief/relevant.ts';
import { computeHealth } from '#lib/health/index.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import type { Item } from '#lib/items/types.ts';
import { mulberry32 } from '#lib/random.ts';
import { defaultSettings } from '#lib/settings.ts';
import { AS_OF, DAY, ME, briefOf, mail, meetingWith } from './world.ts';

/**
 * The brief reads only the items naming its attendees or their organizations. These tests
 * hold it to the figures of the whole mailbox: same extraction and health stage over all
 * items, the way the weekly report reads them.
 */

/** A seeded mailbox: 60 contacts in 12 organizations and on webmail, threads, copies, meetings. */
function mailbox(seed: number): Item[] {
  const rand = mulberry32(seed);
  const people = Array.from({ length: 60 }, (_, i) => (i % 10 === 9 ? `w${i}@gmail.com` : `p${i}@org${i % 12}.io`));
  const items: Item[] = [];
  for (let k = 0; k < 1500; k++) {
    const who = people[Math.floor(rand() * rand() * people.length)]!;
    const at = new Date(AS_OF.getTime() - Math.floor(rand() * 450 * DAY) - 1).toISOString();
    const r = rand();
    if (r < 0.07) {
      items.push(meetingWith(at, [who, people[Math.floor(rand() * people.length)]!]));
      continue;
    }
    const thread = `t${Math.floor(rand() * 200)}`;
    const cc = rand() < 0.2 ? [people[Math.floor(rand() * people.length)]!] : [];
    const m = r < 0.5 ? mail({ from: ME, to: [who], cc, at, threadId: thread }) : mail({ from: who, to: [ME], cc, at, threadId: thread });
    items.push(m);
    // Another mailbox of the person holds a copy now and then (same Message-ID).
    if (rand() < 0.1) items.push({ ...m, accountId: 'second', providerId: `copy-${m.providerId}` });
  }
  return items;
}

describe('relevantItems', () => {
  it('gives every attendee and organization the figures of the whole mailbox', () => {
    const attendees = ['p0@org0.io', 'p13@org1.io', 'w9@gmail.com', 'p2@org2.io', 'nobody@new.io'];
    const items = [...mailbox(7), meetingWith('2026-11-24T09:00:00.000Z', attendees.slice(0, 3)), meetingWith('2026-11-24T14:00:00.000Z', attendees.slice(3))];
    const brief = briefOf(items);

    const extraction = extractInteractions(items, { asOf: AS_OF, settings: defaultSettings, me: [], accountAddresses: [ME] });
    const health = computeHealth(extraction, { asOf: AS_OF, settings: defaultSettings, owedFloorHours: 0, include: new Set(attendees) });
    const histories = historiesOf(extraction.interactions, new Set(attendees));
    const held = new Set(extraction.interactions.map((i) => i.contact));
    let checked = 0;
    for (const m of brief.meetings) {
      for (const a of m.attendees) {
        const row = health.contacts.find((c) => c.address === a.address);
        if (!row) {
          expect(a.known).toBe(false);
          continue;
        }
        checked++;
        expect(a).toMatchObject({
          health: row.health, trend: row.trend, initiative: row.initiative, cadenceDays: row.cadenceDays,
          reciprocity: row.reciprocity, replyHours: row.replyHours, firstInteraction: row.firstInteraction,
          lastInteraction: row.lastInteraction, name: row.name,
        });
        expect(a.owed.map((o) => o.receivedAt)).toEqual(health.owedReplies.filter((o) => o.address === a.address).map((o) => o.receivedAt));
        expect(a.awaiting.map((o) => Date.parse(o.sentAt))).toEqual(awaitingOf(histories.get(a.address)!, AS_OF.getTime()));
      }
      const orgs = [...new Set(m.attendees.map((a) => organizationOf(a.address)).filter((o): o is string => o !== null))].sort();
      expect(m.accounts).toEqual(accountLines(orgs, held, health.contacts).map((a) => ({ ...a, asOf: AS_OF.toISOString() })));
    }
    expect(checked).toBe(4);
    expect(brief.meetings.flatMap((m) => m.accounts).some((a) => a.activeContacts > 1)).toBe(true);
  });

  it('leaves out mail outside the held history and meetings before it, as the extraction does', () => {
    const inside = mail({ from: 'ann@partner.io', at: '2026-11-20T10:00:00.000Z' });
    const before = mail({ from: 'ann@partner.io', at: '2025-01-01T10:00:00.000Z' });
    const after = mail({ from: 'ann@partner.io', at: '2026-11-24T10:00:00.000Z' });
    const oldMeeting = meetingWith('2025-01-02T10:00:00.000Z', ['ann@partner.io']);
    const upcoming = meetingWith('2026-11-25T10:00:00.000Z', ['ann@partner.io']);
    const held = { from: AS_OF.getTime() - 400 * DAY, to: AS_OF.getTime() };
    expect(relevantItems([inside, before, after, oldMeeting, upcoming], new Set(['ann@partner.io']), new Set(), held)).toEqual([inside, upcoming]);
    // The bounds to the millisecond, whatever the instant's text looks like.
    const at = (ms: number, text = new Date(ms).toISOString()) => mail({ from: 'ann@partner.io', at: text });
    const edges = [at(held.from), at(held.from - 1), at(held.to - 1), at(held.to), at(held.to - 1000, new Date(held.to - 1000).toISOString().replace('.000Z', 'Z'))];
    expect(relevantItems(edges, new Set(['ann@partner.io']), new Set(), held)).toEqual([edges[0], edges[2], edges[4]]);
  });

  it('keeps the items naming an attendee or their organization, and other copies of those messages', () => {
    const toAnn = mail({ from: ME, to: ['ann@partner.io'], messageId: 'x1@m' });
    const copyWithoutAnn = mail({ from: ME, to: ['zed@else.io'], messageId: 'x1@m', accountId: 'other' });
    const colleague = mail({ from: 'pat@partner.io', to: [ME] });
    const unrelated = mail({ from: 'zed@else.io', to: [ME] });
    const gmailStranger = mail({ from: 'someone@gmail.com', to: [ME] });
    const kept = relevantItems([toAnn, copyWithoutAnn, colleague, unrelated, gmailStranger], new Set(['ann@partner.io', 'dee@gmail.com']), new Set(['partner.io']));
    expect(kept).toEqual([toAnn, colleague, copyWithoutAnn]);
  });

  it('gives the same brief and the same meetings from what a store reader keeps (briefReads, meetingsReads) as from every item', () => {
    const attendees = ['p0@org0.io', 'p13@org1.io', 'w9@gmail.com', 'p2@org2.io'];
    const items = [...mailbox(11), meetingWith('2026-11-24T09:00:00.000Z', attendees.slice(0, 2)), meetingWith('2026-11-24T14:00:00.000Z', attendees.slice(2))];
    const kept = items.filter(briefReads(AS_OF));
    // 450 days of mail: the held history's 400 and every meeting stay, older mail goes.
    expect(kept.length).toBeLessThan(items.length);
    expect(items.filter((i) => !kept.includes(i)).every((i) => i.kind === 'mail' && Date.parse(i.at) < AS_OF.getTime() - 400 * DAY)).toBe(true);
    expect(briefOf(kept)).toEqual(briefOf(items));
    expect(briefOf(items).meetings.length).toBe(2);
    const base = { user: { email: ME, timeZone: 'Europe/Paris', me: [], internalDomains: [] }, accounts: [{ address: ME, aliases: ['alias@acme.com'], lastSyncAt: undefined }], date: '2026-11-24', settings: defaultSettings };
    const forMeetings = items.filter(meetingsReads(AS_OF));
    expect(forMeetings.every((i) => i.kind === 'meeting' || i.from === ME)).toBe(true);
    expect(briefedMeetingsOf({ ...base, items: forMeetings })).toEqual(briefedMeetingsOf({ ...base, items }));
  });
});

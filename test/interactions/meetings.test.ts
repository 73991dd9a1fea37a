import { describe, expect, it } from 'vitest';
import { extractInteractions } from '#lib/interactions/extract.ts';
import { attendeeCount } from '#lib/interactions/meetings.ts';
import { AS_OF, ME, accepted, meeting, options } from './builders.ts';

const at = (iso: string): number => Date.parse(iso);

describe('meetings', () => {
  it('one meeting interaction with every other non-declined attendee and the organizer, with its duration', () => {
    const m = meeting({
      organizer: 'org@partner.io',
      start: '2026-11-16T10:00:00.000Z',
      end: '2026-11-16T10:45:00.000Z',
      attendees: [
        { address: ME, response: 'tentative' },
        { address: 'ann@partner.io', response: 'accepted' },
        { address: 'bob@partner.io', response: 'needsAction' },
        { address: 'carl@partner.io', response: 'declined' },
      ],
    });
    const x = extractInteractions([m], options());
    expect(x.interactions.map((i) => [i.contact, i.kind, i.minutes, i.at])).toEqual([
      ['ann@partner.io', 'meeting', 45, at(m.start)],
      ['bob@partner.io', 'meeting', 45, at(m.start)],
      ['org@partner.io', 'meeting', 45, at(m.start)],
    ]);
    expect(x.interactions[0]).toMatchObject({ threadId: null, messageId: null, replyTo: [], toMe: false, trashed: false, itemKey: `cal:${m.providerId}` });
  });

  it('counts when Me organizes, even if not listed among the attendees', () => {
    const x = extractInteractions([meeting({ organizer: ME, attendees: accepted('ann@partner.io') })], options());
    expect(x.interactions.map((i) => i.contact)).toEqual(['ann@partner.io']);
  });

  it('does not count when Me declined, was not invited, or the meeting is cancelled', () => {
    const declined = meeting({ organizer: 'ann@partner.io', attendees: [{ address: ME, response: 'declined' }, ...accepted('ann@partner.io')] });
    const notMine = meeting({ organizer: 'ann@partner.io', attendees: accepted('bob@partner.io') });
    const cancelled = meeting({ status: 'cancelled' });
    const x = extractInteractions([declined, notMine, cancelled], options());
    expect(x.interactions).toEqual([]);
    expect(x.excluded).toEqual({ automated: 0, broadcast: 0, internal: 0, duplicates: 0 });
  });

  it('counts attendees and organizer as distinct addresses, declined ones included', () => {
    expect(attendeeCount(meeting({ organizer: ME, attendees: [...accepted(ME, 'a@x.io'), { address: 'b@x.io', response: 'declined' }] }))).toBe(3);
  });

  it('keeps a meeting of exactly maxAttendees and excludes a bigger one as broadcast', () => {
    const people = (n: number): string[] => Array.from({ length: n }, (_, i) => `p${i}@partner.io`);
    const ten = meeting({ attendees: accepted(ME, ...people(9)) });
    const eleven = meeting({ attendees: accepted(ME, ...people(10)) });
    const x = extractInteractions([ten, eleven], options());
    expect(new Set(x.interactions.map((i) => i.itemKey))).toEqual(new Set([`cal:${ten.providerId}`]));
    expect(x.excluded.broadcast).toBe(1);
    expect(extractInteractions([eleven], options({ settings: { maxAttendees: 11 } })).interactions).toHaveLength(10);
  });

  it('a meeting at or after asOf is upcoming, by the same attendee rules, not an interaction', () => {
    const soon = meeting({ start: AS_OF.toISOString(), end: new Date(AS_OF.getTime() + 3_600_000).toISOString(), attendees: accepted(ME, 'ann@partner.io', 'bob@acme.com') });
    const later = meeting({ start: '2027-01-05T09:00:00.000Z', end: '2027-01-05T10:00:00.000Z', attendees: [...accepted(ME, 'carl@partner.io'), { address: 'dan@partner.io', response: 'declined' }] });
    const declinedByMe = meeting({ start: '2026-12-01T09:00:00.000Z', end: '2026-12-01T10:00:00.000Z', organizer: 'eve@partner.io', attendees: [{ address: ME, response: 'declined' }] });
    const x = extractInteractions([later, soon, declinedByMe], options());
    expect(x.interactions).toEqual([]);
    expect(x.upcoming).toEqual([
      { contact: 'ann@partner.io', at: AS_OF.getTime() },
      { contact: 'carl@partner.io', at: at('2027-01-05T09:00:00.000Z') },
    ]);
  });

  it('an internal-only meeting is excluded once by default and kept with includeInternal', () => {
    const m = meeting({ attendees: accepted(ME, 'bob@acme.com', 'carol@acme.com') });
    const x = extractInteractions([m], options());
    expect(x.interactions).toEqual([]);
    expect(x.excluded.internal).toBe(1);
    expect(extractInteractions([m], options({ settings: { includeInternal: true } })).interactions).toHaveLength(2);
  });

  it('a meeting older than the held history is ignored', () => {
    const old = meeting({ start: '2025-01-01T10:00:00.000Z', end: '2025-01-01T11:00:00.000Z' });
    expect(extractInteractions([old], options()).interactions).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { computeHealth } from '#lib/health/index.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import type { Item, MeetingItem } from '#lib/items/types.ts';
import { defaultSettings } from '#lib/settings.ts';
import { AS_OF, DAY, HOUR, ago, establishedHistory, healthOf, meeting, received, sent } from './build.ts';

const ann = 'ann@acme.example';
const bob = 'bob@bob.example';
const iso = (ms: number) => new Date(ms).toISOString();

describe('owedReplies', () => {
  const prior = sent(ann, ago(30));

  it('includes messages received exactly 48 hours and exactly 14 days before asOf', () => {
    const at48h = AS_OF.getTime() - 48 * HOUR;
    const r = healthOf([prior, received(ann, ago(14)), received(ann, at48h)]);
    expect(r.owedReplies).toEqual([
      { address: ann, receivedAt: iso(ago(14)), waitingDays: 14 },
      { address: ann, receivedAt: iso(at48h), waitingDays: 2 },
    ]);
  });

  it('excludes messages just inside 48 hours or just beyond 14 days', () => {
    const r = healthOf([prior, received(ann, AS_OF.getTime() - 48 * HOUR + 1), received(ann, ago(14) - 1)]);
    expect(r.owedReplies).toEqual([]);
  });

  it('is not owed when Me was only in Cc (or Bcc)', () => {
    expect(healthOf([prior, received(ann, ago(5), { toMe: false })]).owedReplies).toEqual([]);
  });

  it('is not owed when the message is in the trash', () => {
    expect(healthOf([prior, received(ann, ago(5), { trashed: true })]).owedReplies).toEqual([]);
  });

  it('requires that I had written to them before the message', () => {
    expect(healthOf([received(ann, ago(5))]).owedReplies).toEqual([]);
    expect(healthOf([received(ann, ago(5)), sent(ann, ago(6))]).owedReplies).toHaveLength(1);
  });

  it('is cleared by any later outbound message or meeting with them', () => {
    expect(healthOf([prior, received(ann, ago(5)), sent(ann, ago(4), { threadId: 'other' })]).owedReplies).toEqual([]);
    expect(healthOf([prior, received(ann, ago(5)), meeting(ann, ago(3))]).owedReplies).toEqual([]);
  });

  it('lists one row per message, oldest first across contacts', () => {
    const r = healthOf([prior, sent(bob, ago(40)), received(ann, ago(4)), received(bob, ago(6)), received(ann, ago(10))]);
    expect(r.owedReplies.map((o) => [o.address, o.waitingDays])).toEqual([[ann, 10], [bob, 6], [ann, 4]]);
  });
});

describe('awaitingReply', () => {
  it('flags 2 or more unanswered outbound messages in the last 30 days', () => {
    const r = healthOf([sent(ann, ago(20)), sent(ann, ago(10)), sent(ann, ago(2))]);
    expect(r.awaitingReply).toEqual([{ address: ann, firstSentAt: iso(ago(20)), unansweredCount: 3 }]);
  });

  it('needs at least 2', () => {
    expect(healthOf([sent(ann, ago(10))]).awaitingReply).toEqual([]);
  });

  it('counts only the messages after their last inbound message or meeting', () => {
    const r = healthOf([sent(ann, ago(25)), received(ann, ago(20)), sent(ann, ago(10)), sent(ann, ago(5))]);
    expect(r.awaitingReply).toEqual([{ address: ann, firstSentAt: iso(ago(10)), unansweredCount: 2 }]);
    expect(healthOf([sent(ann, ago(20)), sent(ann, ago(10)), received(ann, ago(9))]).awaitingReply).toEqual([]);
    expect(healthOf([sent(ann, ago(20)), sent(ann, ago(10)), meeting(ann, ago(9))]).awaitingReply).toEqual([]);
  });

  it('ignores outbound messages older than 30 days', () => {
    expect(healthOf([sent(ann, ago(40)), sent(ann, ago(30)), sent(ann, ago(10))]).awaitingReply).toEqual([]);
  });
});

describe('fading', () => {
  it('flags an established contact silent for more than max(2 x cadence, 21) days', () => {
    const r = healthOf(establishedHistory(ann, 22, 7)); // cadence 7 -> threshold 21
    expect(r.fading).toEqual([{ address: ann, lastInteraction: iso(ago(22)), cadenceDays: 7, silenceDays: 22, lastMeeting: null }]);
  });

  it('does not flag silence exactly at the threshold', () => {
    expect(healthOf(establishedHistory(ann, 21, 7)).fading).toEqual([]);
    expect(healthOf(establishedHistory(ann, 30, 15)).fading).toEqual([]); // 2 x 15 = 30
    expect(healthOf(establishedHistory(ann, 31, 15)).fading).toHaveLength(1);
  });

  it('is suppressed by an upcoming meeting with the contact', () => {
    const ints = establishedHistory(ann, 40, 7);
    expect(healthOf(ints, { upcoming: [{ contact: ann, at: AS_OF.getTime() + 3 * DAY }] }).fading).toEqual([]);
    expect(healthOf(ints, { upcoming: [{ contact: bob, at: AS_OF.getTime() + 3 * DAY }] }).fading).toHaveLength(1);
    // An "upcoming" meeting already in the past suppresses nothing.
    expect(healthOf(ints, { upcoming: [{ contact: ann, at: ago(1) }] }).fading).toHaveLength(1);
  });

  it('needs an established contact: both directions, 6 interactions, 3 distinct days', () => {
    const oneWay = [50, 50, 57, 57, 64, 64].map((d) => sent(ann, ago(d)));
    expect(healthOf(oneWay).fading).toEqual([]);
    const twoDays = [50, 50, 50, 57, 57, 57].map((d, k) => (k % 2 ? sent(ann, ago(d)) : received(ann, ago(d))));
    expect(healthOf(twoDays).fading).toEqual([]);
    const five = establishedHistory(ann, 50, 7).slice(0, 5);
    expect(healthOf(five).fading).toEqual([]);
    const withMeetings = [meeting(ann, ago(64)), meeting(ann, ago(57)), meeting(ann, ago(50)), meeting(ann, ago(50)),
      sent(ann, ago(50)), received(ann, ago(50))];
    expect(healthOf(withMeetings).fading).toHaveLength(1);
  });

  it('ranks by prior strength: interactions in the year before asOf', () => {
    const weak = establishedHistory(bob, 60, 7);
    const strong = [...establishedHistory(ann, 40, 7), sent(ann, ago(100)), received(ann, ago(101))];
    expect(healthOf([...weak, ...strong]).fading.map((f) => f.address)).toEqual([ann, bob]);
  });

  it('includes contacts silent for longer than the window', () => {
    const r = healthOf(establishedHistory(ann, 150, 10));
    expect(r.contacts).toEqual([]);
    expect(r.fading.map((f) => f.silenceDays)).toEqual([150]);
  });
});

describe('fading lastMeeting', () => {
  const fadingOf = (r: ReturnType<typeof healthOf>) => r.fading.find((f) => f.address === ann);

  it('is the last meeting over the held history, also one older than the window', () => {
    const r = healthOf([...establishedHistory(ann, 40, 7), meeting(ann, ago(150)), meeting(ann, ago(100))]);
    expect(r.contacts.find((c) => c.address === ann)!.meetings).toBe(0); // outside the 90-day window
    expect(fadingOf(r)!.lastMeeting).toBe(iso(ago(100)));
  });

  it('is set when the contact has no face-time flag (met within 90 days), the case the report could not cite', () => {
    const r = healthOf([...establishedHistory(ann, 40, 7), meeting(ann, ago(70))]);
    expect(r.noFaceTime).toEqual([]);
    expect(fadingOf(r)!.lastMeeting).toBe(iso(ago(70)));
  });

  it('is null when no meeting is on record', () => {
    expect(fadingOf(healthOf(establishedHistory(ann, 40, 7)))!.lastMeeting).toBeNull();
  });

  it('ignores a meeting after asOf (a report as of a past date)', () => {
    const r = healthOf([...establishedHistory(ann, 40, 7), meeting(ann, ago(100)), meeting(ann, AS_OF.getTime() + 5 * DAY)]);
    expect(fadingOf(r)!.lastMeeting).toBe(iso(ago(100)));
  });

  it('ignores meetings the extraction drops: cancelled, or declined by Me or by the contact', () => {
    const at = (daysAgo: number) => new Date(ago(daysAgo)).toISOString();
    const ME = 'me@mine.example';
    const mailItem = (n: number, daysAgo: number): Item => ({
      kind: 'mail', accountId: 'a', source: 'gmail', providerId: `m${n}`, messageId: `m${n}@x`, threadId: `t${n}`,
      at: at(daysAgo), from: n % 2 ? ann : ME, to: [n % 2 ? ME : ann], cc: [], bcc: [], names: {}, replyTo: [],
      subjectHash: `s${n}`, labels: n % 2 ? [] : ['SENT'], bulkSignals: [],
    });
    const meetingItem = (n: number, daysAgo: number, o: Partial<MeetingItem>): Item => ({
      kind: 'meeting', accountId: 'c', source: 'gcal', providerId: `e${n}`, occurrenceKey: `u${n}`,
      start: at(daysAgo), end: new Date(ago(daysAgo) + HOUR).toISOString(), status: 'confirmed', organizer: ME,
      attendees: [{ address: ME, response: 'accepted' }, { address: ann, response: 'accepted' }], ...o,
    });
    const items: Item[] = [
      ...[61, 61, 54, 54, 47, 47, 40, 40].map((d, k) => mailItem(k, d)),
      meetingItem(1, 100, {}),
      meetingItem(2, 80, { status: 'cancelled' }),
      meetingItem(3, 70, { attendees: [{ address: ME, response: 'declined' }, { address: ann, response: 'accepted' }] }),
      meetingItem(4, 60, { attendees: [{ address: ME, response: 'accepted' }, { address: ann, response: 'declined' }] }),
    ];
    const settings = { ...defaultSettings };
    const extraction = extractInteractions(items, { asOf: AS_OF, settings, me: [], accountAddresses: [ME] });
    const r = computeHealth(extraction, { asOf: AS_OF, settings });
    expect(fadingOf(r)).toMatchObject({ silenceDays: 40, lastMeeting: iso(ago(100)) });
  });
});

describe('noFaceTime', () => {
  it('flags established contacts without a meeting in the last 90 days', () => {
    const r = healthOf([...establishedHistory(ann, 5, 7), meeting(ann, ago(100))]);
    expect(r.noFaceTime).toEqual([{ address: ann, lastMeeting: iso(ago(100)) }]);
    expect(healthOf(establishedHistory(ann, 5, 7)).noFaceTime).toEqual([{ address: ann, lastMeeting: null }]);
  });

  it('is cleared by a meeting in the last 90 days', () => {
    expect(healthOf([...establishedHistory(ann, 5, 7), meeting(ann, ago(89))]).noFaceTime).toEqual([]);
  });

  it('skips contacts that are not established', () => {
    expect(healthOf([sent(ann, ago(5)), received(ann, ago(4))]).noFaceTime).toEqual([]);
  });

  it('is withheld for a person without a calendar source: no meetings on record is not no meetings', () => {
    const history = establishedHistory(ann, 5, 7);
    expect(healthOf(history, { calendar: false }).noFaceTime).toEqual([]);
    expect(healthOf(history, { calendar: true }).noFaceTime).toEqual([{ address: ann, lastMeeting: null }]);
    // The other flags do not depend on a calendar.
    const quiet = establishedHistory(ann, 60, 7);
    expect(healthOf(quiet, { calendar: false }).fading).toEqual(healthOf(quiet, { calendar: true }).fading);
    expect(healthOf(quiet, { calendar: false }).fading).toHaveLength(1);
  });

  it('ranks by email intensity (messages in the last 90 days)', () => {
    const r = healthOf([
      ...establishedHistory(ann, 5, 7),
      ...establishedHistory(bob, 5, 7), sent(bob, ago(3)), received(bob, ago(2)),
    ]);
    expect(r.noFaceTime.map((f) => f.address)).toEqual([bob, ann]);
  });
});

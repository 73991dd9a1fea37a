import { describe, expect, it } from 'vitest';
import { MAX_ACTIONS, planActions } from '#lib/report/actions.ts';
import { InputError } from '#lib/errors.ts';
import { contact, daysBefore, report } from './fixtures.ts';

// asOf is Tuesday 24 Nov 2026, 07:00 UTC.

describe('planActions ranking', () => {
  const json = report({
    contacts: [
      contact('ann@acme.com', { name: 'Ann Lee' }),
      contact('raj@beta.io', { name: 'Raj Patel' }),
      contact('lee@gmail.com', { name: 'Lee Chan' }),
      contact('kim@gmail.com', { name: 'Kim Park' }),
      contact('zoe@delta.org', { name: 'Zoe Ray', sent: 10, received: 14 }),
      contact('max@gamma.net', { name: 'Max Roe' }),
      contact('sam@omega.io', { name: 'Sam Poe' }),
    ],
    noFaceTime: [{ address: 'zoe@delta.org', lastMeeting: null }, { address: 'ann@acme.com', lastMeeting: daysBefore(73) }],
    awaitingReply: [
      { address: 'lee@gmail.com', firstSentAt: daysBefore(22), unansweredCount: 2 },
      { address: 'kim@gmail.com', firstSentAt: daysBefore(12), unansweredCount: 4 },
    ],
    fading: [
      { address: 'ann@acme.com', lastInteraction: daysBefore(34), cadenceDays: 8, silenceDays: 34, lastMeeting: daysBefore(73) },
      { address: 'max@gamma.net', lastInteraction: daysBefore(50), cadenceDays: null, silenceDays: 50, lastMeeting: null },
    ],
    owedReplies: [
      { address: 'sam@omega.io', receivedAt: daysBefore(3), waitingDays: 3 },
      { address: 'raj@beta.io', receivedAt: daysBefore(6), waitingDays: 6 },
    ],
  });

  it('puts owed replies first (longest waiting), then fading, awaiting, no face-time', () => {
    const { actions, omitted } = planActions(json);
    expect(actions.map((a) => [a.kind, a.contacts[0]!.address])).toEqual([
      ['owed-reply', 'raj@beta.io'],
      ['owed-reply', 'sam@omega.io'],
      ['fading', 'ann@acme.com'],
      ['fading', 'max@gamma.net'],
      ['awaiting-reply', 'kim@gmail.com'],
    ]);
    expect(actions).toHaveLength(MAX_ACTIONS);
    // lee (awaiting) and zoe (no face-time) fall below the cut; ann's no face-time is
    // folded into her fading action.
    expect(omitted).toBe(2);
  });

  it('says each contact once, in the highest-ranked action', () => {
    const { actions } = planActions(json, { limit: 20 });
    const addresses = actions.flatMap((a) => a.contacts.map((c) => c.address));
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(actions.map((a) => a.kind)).toEqual(['owed-reply', 'owed-reply', 'fading', 'fading', 'awaiting-reply', 'awaiting-reply', 'no-face-time']);
  });

  it('sums each action up in one specific sentence with real dates', () => {
    const { actions } = planActions(json, { limit: 20 });
    expect(actions.map((a) => a.summary)).toEqual([
      'Raj wrote on Wednesday; you have not replied.',
      'Sam wrote on Saturday; you have not replied.',
      'Ann usually hears from you every 8 days; it has been 34. Last meeting: 12 Sep.',
      'You have not been in touch with Max since 5 Oct, 50 days ago.',
      'Four messages to Kim since 12 Nov without an answer.',
      'Two messages to Lee since 2 Nov without an answer.',
      'You and Zoe exchanged 24 emails in 90 days, with no meeting on record.',
    ]);
    expect(actions[2]!.evidence).toEqual(['Last contact: 21 Oct (34 days ago)', 'Usual cadence: every 8 days', 'Last meeting: 12 Sep']);
    // Max's flag names no meeting (as in a week stored before the field), so the window's count is said instead.
    expect(actions[3]!.evidence).toEqual(['Last contact: 5 Oct (50 days ago)', 'Meetings in the last 90 days: 1']);
    expect(actions[0]!.evidence).toContain('Waiting: 6 days');
    // The title and headline name each person in full with their organization or address (issue 12).
    expect(actions.map((a) => a.title)).toEqual([
      'Reply to Raj Patel (Beta)',
      'Reply to Sam Poe (Omega)',
      'Reconnect with Ann Lee (Acme)',
      'Reconnect with Max Roe (Gamma)',
      'Follow up with Kim Park (kim@gmail.com)',
      'Follow up with Lee Chan (lee@gmail.com)',
      'Meet Zoe Ray (Delta)',
    ]);
    expect(actions[0]!.headline).toBe('Raj Patel (Beta) is waiting on your reply');
  });

  it('writes dates in the given time zone', () => {
    const late = report({
      contacts: [contact('ann@acme.com', { name: 'Ann Lee' })],
      // 23:30 UTC on 20 Oct is already 21 Oct in Paris (UTC+2 in October).
      fading: [{ address: 'ann@acme.com', lastInteraction: '2026-10-20T23:30:00.000Z', cadenceDays: 8, silenceDays: 34, lastMeeting: null }],
    });
    expect(planActions(late).actions[0]!.evidence[0]).toBe('Last contact: 20 Oct (34 days ago)');
    expect(planActions(late, { timeZone: 'Europe/Paris' }).actions[0]!.evidence[0]).toBe('Last contact: 21 Oct (34 days ago)');
    expect(() => planActions(late, { timeZone: 'Mars/Olympus' })).toThrow(InputError);
  });

  it('suggests one kind, specific next step per action, from the data', () => {
    const { actions } = planActions(json, { limit: 20 });
    expect(actions.map((a) => a.suggestion)).toEqual([
      // Raj waited 6 days where a reply usually takes 5.5 hours; Sam waited 3 days.
      'That is longer than you usually take with Raj; a short reply today keeps the rhythm.',
      'That is longer than you usually take with Sam; a short reply today keeps the rhythm.',
      'A quick note to Ann now is easier than a cold restart later.',
      'A short check-in with no agenda keeps the door open.',
      'A friendly nudge or a quick call may help; if it no longer matters, let it go.',
      'A friendly nudge or a quick call may help; if it no longer matters, let it go.',
      'A first call or coffee could turn the emails into a relationship.',
    ]);
    const quick = report({
      contacts: [contact('raj@beta.io', { name: 'Raj Patel', replyHours: { mine: 40, theirs: null } }), contact('sam@omega.io', { name: 'Sam Poe' })],
      owedReplies: [
        { address: 'raj@beta.io', receivedAt: daysBefore(3), waitingDays: 3 },
        { address: 'sam@omega.io', receivedAt: daysBefore(9), waitingDays: 9 },
      ],
    });
    expect(planActions(quick).actions.map((a) => a.suggestion)).toEqual([
      'Over a week now: a two-line reply today closes the loop, even if the full answer comes later.',
      'A short reply today, even just to say when you can answer properly, is enough.',
    ]);
  });

  it('writes the year for dates before asOf’s year', () => {
    const old = report({
      contacts: [contact('ann@acme.com', { name: 'Ann Lee' })],
      noFaceTime: [{ address: 'ann@acme.com', lastMeeting: '2025-12-30T10:00:00.000Z' }],
    });
    expect(planActions(old).actions[0]!.summary).toBe('No meeting with Ann in 90 days; the last was on 30 Dec 2025.');
  });
});

describe('fading: the last meeting', () => {
  const fadingRow = (address: string, lastMeeting: string | null) =>
    ({ address, lastInteraction: daysBefore(34), cadenceDays: 8, silenceDays: 34, lastMeeting });

  it('comes from the fading flag, with no face-time flag needed', () => {
    const json = report({ contacts: [contact('ann@acme.com', { name: 'Ann Lee' })], fading: [fadingRow('ann@acme.com', daysBefore(60))] });
    const [action] = planActions(json).actions;
    expect(action!.summary).toBe('Ann usually hears from you every 8 days; it has been 34. Last meeting: 25 Sep.');
    expect(action!.evidence).toEqual(['Last contact: 21 Oct (34 days ago)', 'Usual cadence: every 8 days', 'Last meeting: 25 Sep']);
  });

  it('falls back to the face-time flag for a week stored before fading flags carried it', () => {
    const json = report({
      contacts: [contact('ann@acme.com', { name: 'Ann Lee' })],
      fading: [fadingRow('ann@acme.com', null)],
      noFaceTime: [{ address: 'ann@acme.com', lastMeeting: daysBefore(120) }],
    });
    expect(planActions(json).actions[0]!.evidence).toContain('Last meeting: 27 Jul');
  });

  it('is named per person in an account action', () => {
    const json = report({
      contacts: [contact('ann@acme.com', { name: 'Ann Lee' }), contact('bob@acme.com', { name: 'Bob Stone' })],
      fading: [fadingRow('ann@acme.com', daysBefore(60)), fadingRow('bob@acme.com', null)],
    });
    expect(planActions(json).actions[0]!.evidence).toEqual([
      'Ann Lee <ann@acme.com>: last contact 21 Oct (34 days ago), usually every 8 days, last met 25 Sep',
      'Bob Stone <bob@acme.com>: last contact 21 Oct (34 days ago), usually every 8 days',
    ]);
  });
});

describe('planActions grouping by account', () => {
  it('turns several contacts of one organization with the same action into one account action', () => {
    const json = report({
      contacts: [
        contact('ann@acme.com', { name: 'Ann Lee' }),
        contact('bob@acme.com', { name: 'Bob Stone' }),
        contact('raj@beta.io', { name: 'Raj Patel' }),
        contact('lee@gmail.com', { name: 'Lee Chan' }),
        contact('kim@gmail.com', { name: 'Kim Park' }),
      ],
      noFaceTime: [
        { address: 'raj@beta.io', lastMeeting: null },
        { address: 'ann@acme.com', lastMeeting: daysBefore(100) },
        { address: 'lee@gmail.com', lastMeeting: null },
        { address: 'bob@acme.com', lastMeeting: null },
        { address: 'kim@gmail.com', lastMeeting: null },
      ],
    });
    const { actions, omitted } = planActions(json);
    expect(omitted).toBe(0);
    // Public webmail stays per person; acme ranks where Ann, its first member, ranked.
    expect(actions.map((a) => a.account ?? a.contacts[0]!.address)).toEqual(['raj@beta.io', 'acme.com', 'lee@gmail.com', 'kim@gmail.com']);
    const acme = actions[1]!;
    expect(acme.contacts.map((c) => c.address)).toEqual(['ann@acme.com', 'bob@acme.com']);
    expect(acme.title).toBe('Meet Ann Lee and Bob Stone at Acme');
    expect(acme.headline).toBe('No meeting with Acme in 90 days');
    expect(acme.summary).toBe('No meeting with Acme in 90 days, though you write with Ann and Bob.');
    expect(acme.evidence).toEqual([
      'Ann Lee <ann@acme.com>: 9 emails in 90 days, last met 16 Aug',
      'Bob Stone <bob@acme.com>: 9 emails in 90 days, no meeting on record',
    ]);
    expect(acme.suggestion).toBe('Propose a short call with Ann and Bob; even 20 minutes together counts.');
  });

  it('groups owed replies, fading and awaiting the same way', () => {
    const json = report({
      contacts: ['ann', 'bob', 'cat'].map((n) => contact(`${n}@acme.co.uk`, { name: `${n[0]!.toUpperCase()}${n.slice(1)} Smith` })),
      owedReplies: [
        { address: 'ann@acme.co.uk', receivedAt: daysBefore(4), waitingDays: 4 },
        { address: 'bob@acme.co.uk', receivedAt: daysBefore(9), waitingDays: 9 },
        { address: 'bob@acme.co.uk', receivedAt: daysBefore(5), waitingDays: 5 },
        { address: 'cat@acme.co.uk', receivedAt: daysBefore(2), waitingDays: 2 },
      ],
    });
    const { actions } = planActions(json);
    expect(actions).toHaveLength(1);
    expect(actions[0]!.account).toBe('acme.co.uk');
    expect(actions[0]!.title).toBe('Reply to Bob Smith, Ann Smith and Cat Smith at Acme');
    expect(actions[0]!.headline).toBe('Three people at Acme are waiting on your reply');
    expect(actions[0]!.summary).toBe('Bob, Ann and Cat at Acme wrote to you; none has had a reply yet.');
    expect(actions[0]!.suggestion).toBe('Start with Bob, who has waited longest (9 days).');
    expect(actions[0]!.evidence[0]).toBe('Bob Smith <bob@acme.co.uk>: wrote on 15 Nov, waiting 9 days');

    const awaiting = planActions(
      report({
        contacts: [contact('ann@acme.com', { name: 'Ann Lee' }), contact('bob@acme.com', { name: 'Bob Stone' })],
        awaitingReply: [
          { address: 'ann@acme.com', firstSentAt: daysBefore(10), unansweredCount: 2 },
          { address: 'bob@acme.com', firstSentAt: daysBefore(22), unansweredCount: 3 },
        ],
      }),
    ).actions;
    expect(awaiting.map((a) => a.summary)).toEqual(['Five messages to Bob and Ann at Acme since 2 Nov without an answer.']);
  });

  it('tells one contact with several owed messages once', () => {
    const json = report({
      contacts: [contact('raj@beta.io', { name: 'Raj Patel' })],
      owedReplies: [
        { address: 'raj@beta.io', receivedAt: daysBefore(5), waitingDays: 5 },
        { address: 'raj@beta.io', receivedAt: daysBefore(10), waitingDays: 10 },
      ],
    });
    const { actions } = planActions(json);
    expect(actions).toHaveLength(1);
    expect(actions[0]!.summary).toBe('Raj wrote twice since 14 Nov; you have not replied.');
    expect(actions[0]!.evidence[0]).toBe('Received: 14 Nov, 19 Nov');
  });

  it('returns nothing for a week without flags', () => {
    expect(planActions(report({ contacts: [contact('a@b.com')] }))).toEqual({ actions: [], omitted: 0 });
  });
});

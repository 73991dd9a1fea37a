import { describe, expect, it } from 'vitest';
import { parseBriefJson, serializeBrief } from '#lib/brief/json.ts';
import { briefAccountSchema, briefAttendeeSchema, briefJsonSchema, briefMeetingSchema, type BriefJson } from '#lib/brief/schema.ts';
import { InputError } from '#lib/errors.ts';
import { ME, briefOf, daysAgo, mail, meetingWith } from './world.ts';

const ANN = 'ann@partner.io';

/** A day with every part of the brief filled: known and unknown attendees, loops, notes, colleagues. */
function fullBrief(): BriefJson {
  const items = [
    mail({ from: ME, to: [ANN], at: daysAgo(12) }),
    mail({ from: ANN, to: [ME], at: daysAgo(3), names: { [ANN]: 'Ann Lee' } }),
    mail({ from: ME, to: ['bo@client.com'], at: daysAgo(4) }),
    meetingWith(daysAgo(40), [ANN]),
    meetingWith('2026-11-24T13:00:00.000Z', ['new@stranger.io']),
    meetingWith('2026-11-24T09:00:00.000Z', [ANN, 'bo@client.com']),
  ];
  return briefOf(items, {
    notes: new Map([[ANN, [{ id: 'n1', at: '2026-11-01T10:00:00.000Z', text: 'likes <b>"quotes"</b>' }]]]),
    colleagues: (a) => (a === ANN ? [{ name: 'Sam Lee', tier: 'ok', lastInteraction: '2026-11-03' }] : []),
  });
}

describe('brief JSON', () => {
  it('validates against briefJsonSchema', () => {
    const brief = fullBrief();
    expect(brief.meetings.map((m) => m.start)).toEqual(['2026-11-24T09:00:00.000Z', '2026-11-24T13:00:00.000Z']);
    expect(briefJsonSchema.parse(brief)).toEqual(brief);
    expect(briefJsonSchema.parse(JSON.parse(serializeBrief(brief)))).toEqual(brief);
  });

  it('serializes every object key by key in the schema order, whatever the order in memory', () => {
    const brief = fullBrief();
    const scrambled = JSON.parse(JSON.stringify(brief, (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    )) as BriefJson;
    expect(Object.keys(scrambled)[0]).toBe('meetings');
    const text = serializeBrief(scrambled);
    expect(text).toBe(serializeBrief(brief));
    expect(text.endsWith('}\n')).toBe(true);
    const out = JSON.parse(text) as BriefJson;
    expect(Object.keys(out)).toEqual(Object.keys(briefJsonSchema.shape));
    expect(Object.keys(out.meetings[0]!)).toEqual(Object.keys(briefMeetingSchema.shape));
    expect(Object.keys(out.meetings[0]!.attendees[0]!)).toEqual(Object.keys(briefAttendeeSchema.shape));
    expect(Object.keys(out.meetings[0]!.accounts[0]!)).toEqual(Object.keys(briefAccountSchema.shape));
    expect(out.meetings[0]!.attendees.find((a) => a.address === ANN)).toMatchObject({
      owed: [{ receivedAt: daysAgo(3) }], notes: [{ id: 'n1', at: '2026-11-01T10:00:00.000Z', text: 'likes <b>"quotes"</b>' }],
      colleagues: [{ name: 'Sam Lee', tier: 'ok', lastInteraction: '2026-11-03' }],
    });
  });

  it('reads a brief back, and names the first wrong field of one that is not', () => {
    const brief = fullBrief();
    expect(parseBriefJson(serializeBrief(brief))).toEqual(brief);
    const broken = JSON.parse(serializeBrief(brief)) as { meetings: Array<{ attendees: Array<{ lastDirection: string }> }> };
    broken.meetings[0]!.attendees[0]!.lastDirection = 'sideways';
    expect(() => parseBriefJson(broken, 'brief.json')).toThrow(InputError);
    expect(() => parseBriefJson(broken, 'brief.json')).toThrow(/brief\.json: not a Sinew brief JSON: meetings\.0\.attendees\.0\.lastDirection/);
    expect(() => parseBriefJson('{', 'brief.json')).toThrow(/not JSON/);
  });
});

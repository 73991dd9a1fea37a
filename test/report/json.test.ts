import { describe, expect, it } from 'vitest';
import { buildReportJson, parseReportJson, reportJsonSchema, serializeReport } from '#lib/report/json.ts';
import { InputError } from '#lib/errors.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { ReportJson } from '#lib/report/types.ts';
import { AS_OF, contact, daysBefore, emptyHealth, report } from './fixtures.ts';

const CONTACT_KEYS = [
  'address', 'name', 'sent', 'received', 'meetings', 'meetingMinutes', 'firstInteraction', 'lastInteraction',
  'frequency', 'cadenceDays', 'reciprocity', 'replyHours', 'health', 'trend', 'initiative',
];

function sample(): ReportJson {
  return report({
    contacts: [contact('b@acme.com', { health: 50 }), contact('ann@acme.com', { name: 'Ann Lee', health: 74 }), contact('a@acme.com', { health: 50 })],
    fading: [{ address: 'b@acme.com', lastInteraction: daysBefore(40), cadenceDays: 7, silenceDays: 40, lastMeeting: null }],
    owedReplies: [{ address: 'a@acme.com', receivedAt: daysBefore(5), waitingDays: 5 }],
    awaitingReply: [{ address: 'ann@acme.com', firstSentAt: daysBefore(10), unansweredCount: 3 }],
    noFaceTime: [{ address: 'b@acme.com', lastMeeting: null }],
    accounts: [{ domain: 'acme.com', activeContacts: 3, health: 70, singleThreaded: false }],
  });
}

describe('buildReportJson', () => {
  it('puts top-level, settings and contact keys in the DESIGN order', () => {
    const json = sample();
    expect(Object.keys(json)).toEqual([
      'user', 'asOf', 'settings', 'contacts', 'fading', 'owedReplies', 'awaitingReply', 'noFaceTime', 'calendar', 'accounts', 'excluded',
    ]);
    expect(json.calendar).toBe('connected');
    expect(Object.keys(json.settings)).toEqual(['windowDays', 'maxRecipients', 'maxAttendees', 'includeInternal', 'internalDomains']);
    for (const c of json.contacts) expect(Object.keys(c)).toEqual(CONTACT_KEYS);
    expect(Object.keys(json.contacts[0]!.replyHours)).toEqual(['mine', 'theirs']);
    expect(Object.keys(json.fading[0]!)).toEqual(['address', 'lastInteraction', 'cadenceDays', 'silenceDays', 'lastMeeting']);
    expect(Object.keys(json.excluded)).toEqual(['automated', 'broadcast', 'internal', 'duplicates']);
    expect(json.asOf).toBe('2026-11-24T07:00:00.000Z');
  });

  it('rebuilds keys whatever order upstream objects have, and drops stray keys', () => {
    const c = contact('x@beta.io');
    const shuffled = Object.fromEntries(Object.entries({ ...c, extra: 1 }).reverse()) as unknown as typeof c;
    const json = report({ contacts: [shuffled] });
    expect(Object.keys(json.contacts[0]!)).toEqual(CONTACT_KEYS);
    expect(serializeReport(json)).toBe(serializeReport(report({ contacts: [c] })));
  });

  it('sorts contacts by health, highest first, ties by address', () => {
    expect(sample().contacts.map((c) => c.address)).toEqual(['ann@acme.com', 'a@acme.com', 'b@acme.com']);
  });

  it('reports the internal domains in force: derived plus configured, deduplicated and sorted', () => {
    const json = buildReportJson({
      user: 'me@example.com', asOf: AS_OF, health: emptyHealth(),
      settings: { ...defaultSettings, internalDomains: ['corp.example', 'example.com'] },
      internalDomains: ['example.com'],
      excluded: { automated: 0, broadcast: 0, internal: 0, duplicates: 0 },
    });
    expect(json.settings.internalDomains).toEqual(['corp.example', 'example.com']);
  });

  it('refuses an invalid asOf', () => {
    expect(() => report({}, new Date('nope'))).toThrow(InputError);
  });
});

describe('serializeReport', () => {
  it('is 2-space JSON with a trailing newline, byte-for-byte stable', () => {
    const text = serializeReport(sample());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "user": "me@example.com",');
    expect(serializeReport(sample())).toBe(text);
    // A round trip through JSON.parse with keys in another order gives the same bytes.
    const reordered = JSON.parse(text, (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    ) as ReportJson;
    expect(Object.keys(reordered)[0]).toBe('excluded');
    expect(serializeReport(reordered)).toBe(text);
  });
});

describe('reportJsonSchema', () => {
  it('accepts a built report', () => {
    expect(reportJsonSchema.safeParse(sample()).success).toBe(true);
    expect(reportJsonSchema.safeParse(JSON.parse(serializeReport(sample()))).success).toBe(true);
  });

  it('rejects a broken one', () => {
    const good = JSON.parse(serializeReport(sample()));
    const broken = [
      { ...good, asOf: '24/11/2026' },
      { ...good, contacts: [{ ...good.contacts[0], health: 140 }] },
      { ...good, contacts: [{ ...good.contacts[0], trend: 'hot' }] },
      { ...good, contacts: [{ ...good.contacts[0], reciprocity: null, sent: -1 }] },
      { ...good, fading: [{ address: 'b@acme.com' }] },
      { ...good, surprise: true },
      (({ excluded: _e, ...rest }) => rest)(good),
    ];
    for (const b of broken) expect(reportJsonSchema.safeParse(b).success).toBe(false);
  });
});

describe('parseReportJson', () => {
  it('reads a serialized report back to the same bytes', () => {
    const text = serializeReport(sample());
    expect(serializeReport(parseReportJson(text))).toBe(text);
  });

  it('round-trips a fading last meeting, set or null, to the same bytes', () => {
    const met = report({ fading: [{ address: 'b@acme.com', lastInteraction: daysBefore(40), cadenceDays: 7, silenceDays: 40, lastMeeting: daysBefore(100) }] });
    const text = serializeReport(met);
    expect(text).toContain(`"silenceDays": 40,\n      "lastMeeting": "${daysBefore(100)}"\n`);
    expect(parseReportJson(text).fading[0]!.lastMeeting).toBe(daysBefore(100));
    expect(serializeReport(parseReportJson(text))).toBe(text);
    const none = serializeReport(sample());
    expect(none).toContain('"silenceDays": 40,\n      "lastMeeting": null\n');
    expect(serializeReport(parseReportJson(none))).toBe(none);
  });

  it('reads a week stored before fading entries carried lastMeeting, as null', () => {
    const old = JSON.parse(serializeReport(sample()));
    delete old.fading[0].lastMeeting;
    const parsed = parseReportJson(JSON.stringify(old), 'week 2026-W47');
    expect(parsed.fading[0]).toStrictEqual({
      address: 'b@acme.com', lastInteraction: daysBefore(40), cadenceDays: 7, silenceDays: 40, lastMeeting: null,
    });
    expect(serializeReport(parsed)).toBe(serializeReport(sample()));
    // A wrong value is still refused.
    old.fading[0].lastMeeting = 'last spring';
    expect(() => parseReportJson(old)).toThrow(/fading\.0\.lastMeeting/);
  });

  it('says when noFaceTime is empty because the calendar is missing, and reads older weeks as connected', () => {
    const missing = buildReportJson({
      user: 'me@example.com', asOf: AS_OF, settings: defaultSettings, internalDomains: [],
      health: emptyHealth(), excluded: { automated: 0, broadcast: 0, internal: 0, duplicates: 0 }, calendar: 'missing',
    });
    const text = serializeReport(missing);
    expect(text).toContain('"noFaceTime": [],\n  "calendar": "missing",\n  "accounts": []');
    expect(serializeReport(parseReportJson(text))).toBe(text);
    // A week stored before the field: its noFaceTime was computed, as if connected.
    const old = JSON.parse(serializeReport(sample()));
    delete old.calendar;
    expect(parseReportJson(old).calendar).toBe('connected');
    expect(serializeReport(parseReportJson(old))).toBe(serializeReport(sample()));
    expect(() => parseReportJson({ ...old, calendar: 'maybe' })).toThrow(/calendar/);
  });

  it('names the wrong field', () => {
    const good = JSON.parse(serializeReport(sample()));
    good.contacts[1].trend = 'hot';
    expect(() => parseReportJson(good, 'week 2026-W48')).toThrow(/week 2026-W48: .*contacts\.1\.trend/);
    expect(() => parseReportJson('{oops', 'x.json')).toThrow(/x\.json: not JSON/);
  });
});

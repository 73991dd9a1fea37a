import type { ContactHealth, HealthResult } from '#lib/health/types.ts';
import type { ReportJson } from '#lib/report/types.ts';
import { buildReportJson } from '#lib/report/json.ts';
import { defaultSettings } from '#lib/settings.ts';

/**
 * Hand-built health results: the report stage is tested without the health stage, so
 * the numbers here are whatever each test needs, not what metrics would compute.
 */

/** Monday 24 Nov 2026, 07:00 UTC. */
export const AS_OF = new Date('2026-11-24T07:00:00.000Z');

export function daysBefore(days: number, hourUtc = 9): string {
  const d = new Date(AS_OF.getTime() - days * 86_400_000);
  d.setUTCHours(hourUtc, 0, 0, 0);
  return d.toISOString();
}

export function contact(address: string, over: Partial<ContactHealth> = {}): ContactHealth {
  return {
    address,
    name: null,
    sent: 4,
    received: 5,
    meetings: 1,
    meetingMinutes: 30,
    firstInteraction: daysBefore(200),
    lastInteraction: daysBefore(3),
    frequency: 0.7,
    cadenceDays: 6,
    reciprocity: 0.8,
    replyHours: { mine: 5.5, theirs: 20.1 },
    health: 60,
    trend: 'steady',
    initiative: 'mutual',
    ...over,
  };
}

export function emptyHealth(over: Partial<HealthResult> = {}): HealthResult {
  return { contacts: [], fading: [], owedReplies: [], awaitingReply: [], noFaceTime: [], accounts: [], ...over };
}

export function report(health: Partial<HealthResult>, asOf = AS_OF): ReportJson {
  return buildReportJson({
    user: 'me@example.com',
    asOf,
    settings: defaultSettings,
    internalDomains: ['example.com'],
    health: emptyHealth(health),
    excluded: { automated: 3, broadcast: 1, internal: 2, duplicates: 4 },
  });
}

/** A busy week: `n` contacts over many organizations, with every kind of flag in number. */
export function busyReport(n = 300): ReportJson {
  const contacts: ContactHealth[] = [];
  for (let i = 0; i < n; i += 1) {
    contacts.push(
      contact(`person${i}@org${i % 40}.com`, {
        name: `Person${i} Surname${i}`,
        health: (i * 37) % 101,
        trend: i % 5 === 0 ? 'warming' : i % 5 === 1 ? 'cooling' : 'steady',
        firstInteraction: daysBefore(i % 50 === 0 ? 3 : 150),
      }),
    );
  }
  const pick = (from: number, count: number): ContactHealth[] => contacts.slice(from, from + count);
  return report({
    contacts,
    fading: pick(0, 60).map((c, i) => ({ address: c.address, lastInteraction: daysBefore(30 + i), cadenceDays: 7, silenceDays: 30 + i, lastMeeting: null })),
    owedReplies: pick(60, 40).map((c, i) => ({ address: c.address, receivedAt: daysBefore(3 + (i % 10)), waitingDays: 3 + (i % 10) })),
    awaitingReply: pick(100, 40).map((c, i) => ({ address: c.address, firstSentAt: daysBefore(10 + (i % 15)), unansweredCount: 2 + (i % 4) })),
    noFaceTime: pick(140, 80).map((c, i) => ({ address: c.address, lastMeeting: i % 2 ? daysBefore(120) : null })),
    accounts: Array.from({ length: 40 }, (_, i) => ({ domain: `org${i}.com`, activeContacts: i % 7 === 0 ? 1 : 8, health: 50 + (i % 40), singleThreaded: i % 7 === 0 })),
  });
}

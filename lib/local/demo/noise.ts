import { BROADCAST_ONLY, ME, PEOPLE, SENDERS } from './cast.ts';
import type { MailWriter } from './conversation.ts';
import type { DemoMessage } from './model.ts';
import type { Random } from '#lib/random.ts';
import { dayBefore, localTimeOn } from './zone.ts';

/**
 * The mail that must not count as a relationship: newsletters, notifications, bulk
 * billing, a bounce, a broadcast to 14 people, and a sent message copied under a second
 * Message-ID. Each kind trips exactly one exclusion rule where it can, so a test can tell
 * which rule failed.
 */

export interface NoiseCounts {
  automated: number;
  broadcast: number;
  duplicates: number;
}

export function writeNoise(rng: Random, mail: MailWriter, asOf: Date): NoiseCounts {
  const at = (daysAgo: number, hours = rng.between(6, 20)): Date => localTimeOn(dayBefore(asOf, daysAgo), 'UTC', hours);
  let automated = 0;
  const bulk = (m: Omit<DemoMessage, 'messageId' | 'gmThreadId' | 'references' | 'inReplyTo' | 'cc' | 'to'>): void => {
    mail.add({ ...m, to: [ME], cc: [] });
    automated++;
  };

  // A weekly newsletter with every list header, in the Promotions tab.
  for (let d = 364, n = 1; d >= 1; d -= 7, n++) {
    bulk({
      at: at(d, 6.5), from: SENDERS.newsletter, subject: `The Logistics Brief #${n}`,
      labels: ['Category Promotions', rng.chance(0.7) ? 'Unread' : 'Opened'],
      extraHeaders: [
        ['List-Id', 'The Logistics Brief <weekly.logisticsbrief.com>'],
        ['List-Unsubscribe', `<mailto:unsubscribe@logisticsbrief.com?subject=unsubscribe>, <https://logisticsbrief.com/u/${rng.token(24)}>`],
        ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
      ],
      body: 'This week in logistics: freight rates, port congestion and the quarter ahead.\n\nFrom the editors:\nRead online or unsubscribe at any time.',
    });
  }
  // A monthly digest with only List-Unsubscribe, in the Inbox.
  for (let d = 350; d >= 1; d -= 30) {
    bulk({ at: at(d), from: SENDERS.digest, subject: 'Your monthly consulting digest', labels: ['Inbox', 'Opened'],
      extraHeaders: [['List-Unsubscribe', '<https://consultingweekly.com/unsubscribe>']],
      body: 'The most read articles of the month.' });
  }
  // Notifications: only the sender's local part gives them away.
  for (let d = 355; d >= 1; d -= 10) {
    bulk({ at: at(d), from: SENDERS.projectHub, subject: 'You were mentioned in a task', labels: ['Inbox', 'Opened'],
      extraHeaders: [], body: 'Someone mentioned you in a task. Open ProjectHub to reply.' });
  }
  for (let d = 340; d >= 1; d -= 30) {
    bulk({ at: at(d), from: SENDERS.invoices, subject: 'Invoice paid', labels: ['Archived', 'Opened'],
      extraHeaders: [], body: 'Your invoice has been paid.' });
  }
  // Bulk billing: only Precedence gives it away.
  for (let d = 345; d >= 1; d -= 30) {
    bulk({ at: at(d), from: SENDERS.billing, subject: 'Your monthly statement', labels: ['Inbox', 'Opened'],
      extraHeaders: [['Precedence', 'bulk']], body: 'Your statement is ready.' });
  }
  // A bounce (automated sender and Auto-Submitted).
  bulk({ at: at(50), from: SENDERS.daemon, subject: 'Delivery Status Notification (Failure)', labels: ['Inbox', 'Opened'],
    extraHeaders: [['Auto-Submitted', 'auto-replied']],
    body: 'Address not found\n\nYour message was not delivered because the address could not be found.' });

  // A broadcast to 14 recipients (8 To, 6 Cc): Oliver is among them, and counting it
  // would end his silence.
  const to = [PEOPLE.oliver, PEOPLE.priya, PEOPLE.maria, PEOPLE.ava, ...BROADCAST_ONLY.slice(0, 4)];
  const cc = BROADCAST_ONLY.slice(4, 10);
  mail.add({ at: localTimeOn(dayBefore(asOf, 12), ME.tz, 10.25), from: ME, to, cc, subject: 'Our new office address',
    labels: ['Sent'], extraHeaders: [],
    body: 'Dear all,\n\nNorthwind has moved. Our new address is below.\n\nFrom Monday our phone numbers change too.\n\nAlex' });

  // The same sent message copied under a second Message-ID (as archives do across folders).
  const original = [...mail.messages].reverse().find((m) => m.from === ME && m.to[0] === PEOPLE.priya && m.cc.length === 0);
  let duplicates = 0;
  if (original) {
    const { messageId: _id, ...copy } = original;
    mail.add({ ...copy, labels: ['Sent'] });
    duplicates++;
  }
  return { automated, broadcast: 1, duplicates };
}

import { domainOf, localPartOf, normalizeAddress, PUBLIC_WEBMAIL_DOMAINS } from '#lib/items/normalize.ts';
import type { Scenario } from '#lib/local/demo/scenario.ts';

/**
 * A deliberately small, independent reading of DESIGN sections 3 and 4 over the demo
 * scenario's data (not its text), to check that the stories say what the expectations
 * claim, for any seed and asOf. It is not the product's health module.
 */

const DAY = 86_400_000;
const AUTOMATED_LOCAL = new Set(['noreply', 'no-reply', 'donotreply', 'do-not-reply', 'notifications', 'notification',
  'mailer-daemon', 'postmaster', 'bounce', 'bounces']);
const BULK_LABELS = new Set(['Spam', 'Drafts', 'Category Promotions', 'Category Social', 'Category Updates', 'Category Forums']);

interface Touch { contact: string; kind: 'sent' | 'received' | 'meeting'; at: number; toMe: boolean; trashed: boolean }

export interface StoryFlags {
  contacts: Set<string>;
  fading: Set<string>;
  owedReplies: Set<string>;
  awaitingReply: Set<string>;
  noFaceTime: Set<string>;
  singleThreaded: Set<string>;
  warming: Set<string>;
}

export function storyFlags(s: Scenario): StoryFlags {
  const asOf = s.asOf.getTime();
  const me = new Set(s.me);
  const internal = (a: string): boolean => domainOf(a) === 'northwind-consulting.com';
  const touches: Touch[] = [];
  const upcoming = new Set<string>();
  const seen = new Set<string>();
  for (const m of s.messages) {
    const from = normalizeAddress(m.from.address)!;
    const to = m.to.map((p) => normalizeAddress(p.address)!);
    const cc = m.cc.map((p) => normalizeAddress(p.address)!);
    const fingerprint = [m.at.getTime(), from, [...to, ...cc].sort().join(','), m.subject].join('|');
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    const automated = m.extraHeaders.some(([h, v]) => /^(list-id|list-unsubscribe)$/i.test(h)
      || (/^precedence$/i.test(h) && /bulk|list|junk/i.test(v)) || (/^auto-submitted$/i.test(h) && v !== 'no'))
      || AUTOMATED_LOCAL.has(localPartOf(from)) || m.labels.some((l) => BULK_LABELS.has(l));
    if (automated || to.length + cc.length > 10) continue;
    const at = m.at.getTime();
    const trashed = m.labels.includes('Trash');
    if (me.has(from)) {
      for (const c of [...to, ...cc]) if (!me.has(c) && !internal(c)) touches.push({ contact: c, kind: 'sent', at, toMe: false, trashed });
    } else if (!internal(from) && [...to, ...cc].some((a) => me.has(a))) {
      touches.push({ contact: from, kind: 'received', at, toMe: to.some((a) => me.has(a)), trashed });
    }
  }
  for (const o of s.occurrences) {
    if (o.cancelled || o.attendees.length > 10) continue;
    const mine = me.has(o.organizer) || o.attendees.some((a) => me.has(a.address) && a.partstat !== 'DECLINED');
    if (!mine) continue;
    const others = new Set([o.organizer, ...o.attendees.filter((a) => a.partstat !== 'DECLINED').map((a) => a.address)]);
    for (const c of others) {
      if (me.has(c) || internal(c)) continue;
      if (o.start.getTime() >= asOf) upcoming.add(c);
      else touches.push({ contact: c, kind: 'meeting', at: o.start.getTime(), toMe: false, trashed: false });
    }
  }

  const byContact = new Map<string, Touch[]>();
  for (const t of touches) {
    if (t.at >= asOf) continue;
    const list = byContact.get(t.contact) ?? [];
    list.push(t);
    byContact.set(t.contact, list);
  }
  const flags: StoryFlags = {
    contacts: new Set(), fading: new Set(), owedReplies: new Set(), awaitingReply: new Set(),
    noFaceTime: new Set(), singleThreaded: new Set(), warming: new Set(),
  };
  const activeByDomain = new Map<string, { active: number; all: number }>();
  for (const [c, list] of byContact) {
    list.sort((a, b) => a.at - b.at);
    const year = list.filter((t) => t.at >= asOf - 365 * DAY);
    const days = [...new Set(year.map((t) => Math.floor(t.at / DAY)))].sort((a, b) => a - b);
    const established = year.length >= 6 && days.length >= 3
      && year.some((t) => t.kind === 'sent') && year.some((t) => t.kind === 'received');
    const gaps = days.slice(1).map((d, i) => d - days[i]!).sort((a, b) => a - b);
    const cadence = days.length < 3 ? null : gaps.length % 2 ? gaps[(gaps.length - 1) / 2]!
      : (gaps[gaps.length / 2 - 1]! + gaps[gaps.length / 2]!) / 2;
    const last = list.at(-1)!.at;
    const inWindow = last >= asOf - 90 * DAY;
    if (inWindow) flags.contacts.add(c);
    if (established && (asOf - last) / DAY > Math.max(2 * (cadence ?? 0), 21) && !upcoming.has(c)) flags.fading.add(c);
    const after = (at: number, kinds: Touch['kind'][]): boolean => list.some((t) => t.at > at && kinds.includes(t.kind));
    for (const t of list) {
      if (t.kind !== 'received' || !t.toMe || t.trashed) continue;
      if (t.at < asOf - 14 * DAY || t.at > asOf - 2 * DAY) continue;
      if (after(t.at, ['sent', 'meeting'])) continue;
      if (list.some((u) => u.kind === 'sent' && u.at < t.at)) flags.owedReplies.add(c);
    }
    const lastAnswer = Math.max(-Infinity, ...list.filter((t) => t.kind !== 'sent').map((t) => t.at));
    const chasing = list.filter((t) => t.kind === 'sent' && t.at >= asOf - 30 * DAY && t.at > lastAnswer);
    if (chasing.length >= 2) flags.awaitingReply.add(c);
    if (established && !list.some((t) => t.kind === 'meeting' && t.at >= asOf - 90 * DAY)) flags.noFaceTime.add(c);
    const recent = list.filter((t) => t.at >= asOf - 30 * DAY).length / 30;
    const before = list.filter((t) => t.at < asOf - 30 * DAY && t.at >= asOf - 120 * DAY).length / 90;
    if (recent > before * 1.5 && recent > 0) flags.warming.add(c);
    const domain = domainOf(c);
    if (!PUBLIC_WEBMAIL_DOMAINS.has(domain)) {
      const d = activeByDomain.get(domain) ?? { active: 0, all: 0 };
      d.all++;
      if (inWindow) d.active++;
      activeByDomain.set(domain, d);
    }
  }
  for (const [domain, d] of activeByDomain) if (d.active === 1 && d.all > 1) flags.singleThreaded.add(domain);
  return flags;
}

import type { DemoMessage, Person } from './model.ts';
import type { Random } from '#lib/random.ts';
import { nextWorkingMoment } from './zone.ts';

/**
 * Writes mail threads the way people do: alternating turns, reply latencies of hours
 * (log-normal, business hours in the replier's zone), `Re:` subjects, and the export's
 * imperfections (replies without In-Reply-To, threads without X-GM-THRID).
 */

export const SUBJECTS = [
  'Project update', 'Next steps', 'Quick question', 'Follow-up from our call', 'Invoice query',
  'Draft proposal', 'Timeline for Q1', 'Workshop agenda', 'Status report', 'Contract renewal',
  'Data request', 'Scope changes', 'Kick-off logistics', 'Budget review', 'Slides for Thursday',
  'Feedback on the draft', 'Meeting notes', 'Resourcing plan', 'Travel arrangements', 'Pilot results',
  'Open questions', 'Revised estimate', 'Steering committee pack', 'Interview schedule', 'Handover',
] as const;

const LINES = [
  'Thanks for the update.', 'Please find my comments below.', 'Could we move this to next week?',
  'Sounds good to me.', 'I will circulate the notes later today.', 'Attached is the latest version.',
  'From our side, the numbers look fine.', 'Let me check with the team and come back to you.',
  'Happy to discuss on a call if easier.', 'From what I can see we are on track.',
  'Can you confirm the figures for October?', 'Agreed, let us go with option B.',
] as const;

export interface ThreadSpec {
  /** The counterpart; replies alternate between the user and them. */
  contact: Person;
  start: Date;
  initiator: 'me' | 'them';
  /** Messages in the thread (1 = never answered). */
  turns: number;
  subject?: string;
  /** Copied on every message. */
  cc?: Person[];
  /** The user writes from the alias rather than the main address. */
  alias?: boolean;
  /** The whole exchange was deleted afterwards: it sits in Trash (and still counts). */
  trashed?: boolean;
}

/** Collects the mailbox's messages; ids and times come from the seeded generator. */
export class MailWriter {
  readonly messages: DemoMessage[] = [];

  constructor(
    private readonly rng: Random,
    /** Nothing is written at or after this instant (the report's asOf). */
    private readonly before: Date,
    private readonly me: Person,
    private readonly alias: Person,
  ) {}

  /** Writes a thread; stops early rather than write at or after `before`. */
  thread(spec: ThreadSpec): DemoMessage[] {
    const rng = this.rng;
    const subject = spec.subject ?? rng.pick(SUBJECTS);
    const meNow = spec.alias ? this.alias : this.me;
    const gmThreadId = rng.chance(0.12) ? null : '';
    const out: DemoMessage[] = [];
    let at = spec.start;
    for (let i = 0; i < spec.turns; i++) {
      const mine = (i % 2 === 0) === (spec.initiator === 'me');
      const sender = mine ? meNow : spec.contact;
      if (i > 0) {
        const hours = Math.max(0.15, rng.logNormal(mine ? 2.5 : 4, 1.1));
        at = nextWorkingMoment(new Date(at.getTime() + hours * 3_600_000), sender.tz, rng.between(8.2, 10.5));
      }
      if (at.getTime() >= this.before.getTime() - 3_600_000) break;
      const prev = out[out.length - 1];
      // About one reply in five carries no In-Reply-To: archives often lose it, and the
      // thread is then found by subject (or X-GM-THRID) alone.
      const bare = prev !== undefined && rng.chance(0.2);
      const msg: DemoMessage = {
        messageId: this.messageId(sender, at),
        at,
        from: sender,
        to: [mine ? spec.contact : meNow],
        cc: spec.cc ?? [],
        subject: i === 0 ? subject : `Re: ${subject}`,
        inReplyTo: prev && !bare ? prev.messageId : null,
        references: prev && !bare ? [...prev.references, prev.messageId].slice(-6) : [],
        gmThreadId: gmThreadId === null ? null : (out[0]?.gmThreadId ?? this.gmailId(at)),
        labels: spec.trashed ? (mine ? ['Sent', 'Trash'] : ['Trash', 'Opened'])
          : mine ? this.sentLabels() : this.inboxLabels(),
        extraHeaders: [],
        body: this.body(mine ? spec.contact : meNow, sender, prev),
      };
      out.push(msg);
    }
    this.messages.push(...out);
    return out;
  }

  /**
   * A reply to `prev` by `sender` at `at`, addressed to prev's sender (or `to`), in the
   * same thread; `bare` leaves out In-Reply-To and References.
   */
  reply(prev: DemoMessage, sender: Person, at: Date, opts: { to?: Person; bare?: boolean } = {}): DemoMessage {
    const mine = sender.address.endsWith('@northwind-consulting.com');
    const msg: DemoMessage = {
      messageId: this.messageId(sender, at),
      at,
      from: sender,
      to: [opts.to ?? prev.from],
      cc: prev.cc,
      subject: prev.subject.startsWith('Re: ') ? prev.subject : `Re: ${prev.subject}`,
      inReplyTo: opts.bare ? null : prev.messageId,
      references: opts.bare ? [] : [...prev.references, prev.messageId].slice(-6),
      gmThreadId: prev.gmThreadId,
      labels: mine ? this.sentLabels() : this.inboxLabels(),
      extraHeaders: [],
      body: this.body(opts.to ?? prev.from, sender, prev),
    };
    this.messages.push(msg);
    return msg;
  }

  /** Adds a message written by hand (noise, broadcasts, auto-replies). */
  add(partial: Omit<DemoMessage, 'messageId' | 'gmThreadId' | 'references' | 'inReplyTo'> &
    Partial<Pick<DemoMessage, 'inReplyTo' | 'references' | 'gmThreadId'>>): DemoMessage {
    const msg: DemoMessage = {
      messageId: this.messageId(partial.from, partial.at),
      inReplyTo: null,
      references: [],
      gmThreadId: this.gmailId(partial.at),
      ...partial,
    };
    this.messages.push(msg);
    return msg;
  }

  /** A Gmail-style 64-bit id (milliseconds shifted left 20 bits, plus noise), in decimal as Takeout writes it. */
  gmailId(at: Date): string {
    return ((BigInt(at.getTime()) << 20n) | BigInt(this.rng.int(0, 0xfffff))).toString();
  }

  /** A Message-ID in the style of the sender's mail system. */
  messageId(sender: Person, at: Date): string {
    const rng = this.rng;
    const domain = sender.address.slice(sender.address.lastIndexOf('@') + 1).toLowerCase();
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-';
    if (domain === 'gmail.com' || domain === 'googlemail.com' || domain === 'northwind-consulting.com') {
      return `CA${rng.token(2, 'ABCDEFGHKLMNPQRS')}+${rng.token(36, b64)}@mail.gmail.com`;
    }
    const style = domain.length % 3;
    const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    if (style === 0) {
      const host = `${rng.token(3, 'ABCDEFGHJKLMNPRSTVWXYZ')}${rng.int(1, 9)}PR${rng.int(10, 19)}MB${rng.int(1000, 9999)}`;
      return `${host}${rng.token(20, upper)}@${host}.eurprd${rng.int(1, 9)}.prod.outlook.com`;
    }
    if (style === 1) return `${rng.token(16, '0123456789abcdef')}.${at.getTime()}@${domain}`;
    return `${rng.token(8, '0123456789abcdef')}-${rng.token(4, '0123456789abcdef')}-${rng.token(12, '0123456789abcdef')}@mail.${domain}`;
  }

  private sentLabels(): string[] {
    return this.rng.pick([['Sent'], ['Sent'], ['Archived', 'Sent'], ['Sent', 'Important', 'Opened']]);
  }

  private inboxLabels(): string[] {
    return this.rng.pick([
      ['Inbox', 'Opened'], ['Archived', 'Opened'], ['Inbox', 'Important', 'Opened', 'Category Personal'],
      ['Archived', 'Important', 'Opened'],
    ]);
  }

  private body(to: Person, from: Person, prev: DemoMessage | undefined): string {
    const rng = this.rng;
    const first = (p: Person): string => p.name.split(/[ ,]+/)[p.name.includes(',') ? 1 : 0] ?? p.name;
    const lines = [`Hi ${first(to)},`, '', rng.pick(LINES)];
    if (rng.chance(0.4)) lines.push(rng.pick(LINES));
    lines.push('', rng.pick(['Best,', 'Thanks,', 'Kind regards,', 'Cheers,']), first(from));
    if (prev && rng.chance(0.5)) {
      const quoted = prev.body.split('\n').slice(0, 3).map((l) => (l ? `> ${l}` : '>'));
      lines.push('', `On ${prev.at.toUTCString()}, ${prev.from.name} wrote:`, ...quoted);
    }
    return lines.join('\n');
  }
}

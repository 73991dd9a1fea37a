import { InputError } from '#lib/errors.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import { isSharingAnswer, type Feedback } from '#lib/items/feedback.ts';
import { DAY_MS } from './windows.ts';

/** A snooze without an `until` lasts this long from when it was given (the email offers 30 days). */
export const DEFAULT_SNOOZE_DAYS = 30;

/** The user's answers in force at `asOf`, as the flags need them. */
export interface FeedbackInForce {
  /** Contacts kept out of every flag list: muted, or snoozed until after `asOf`. */
  silenced: Set<string>;
  /** Contacts marked "this is fine": fading judges them against a longer cadence. */
  fine: Set<string>;
}

/**
 * Reduces the answers to what holds at `asOf`: only the latest answer per contact counts
 * (ties on `at`: the later in the list); answers given after `asOf` are ignored, so a
 * replayed report is the one sent then. An `undo` that is the latest answer leaves the
 * contact with no answer in force. Sharing answers (`private` and its undo) change no flag:
 * they are skipped here, so they neither count as the latest answer nor cancel one.
 */
export function feedbackAt(feedback: readonly Feedback[], asOf: number): FeedbackInForce {
  const latest = new Map<string, { at: number; f: Feedback }>();
  for (const f of feedback) {
    const at = parseInstant(f.at, `feedback.at for ${f.contact}`);
    if (at > asOf || isSharingAnswer(f)) continue;
    const contact = normalizeAddress(f.contact) ?? f.contact.trim().toLowerCase();
    const prev = latest.get(contact);
    if (prev === undefined || at >= prev.at) latest.set(contact, { at, f });
  }
  const silenced = new Set<string>();
  const fine = new Set<string>();
  for (const [contact, { at, f }] of latest) {
    if (f.action === 'undo') continue;
    if (f.action === 'mute') silenced.add(contact);
    else if (f.action === 'fine') fine.add(contact);
    else {
      const until = f.until === undefined ? at + DEFAULT_SNOOZE_DAYS * DAY_MS : parseInstant(f.until, `feedback.until for ${f.contact}`);
      if (asOf < until) silenced.add(contact);
    }
  }
  return { silenced, fine };
}

function parseInstant(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new InputError(`${what} is not an ISO 8601 time: ${JSON.stringify(iso)}`);
  return ms;
}

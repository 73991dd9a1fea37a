import * as z from 'zod';
import type { Store } from '#lib/store/types.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { InputError } from '#lib/errors.ts';

/**
 * SES bounce and complaint handling (DESIGN section 1, Report): a permanent bounce or a
 * complaint stops Sinew's mail to that person (`reportsPaused`), which keeps the sending
 * reputation of the admin's SES account healthy. Transient bounces (a full mailbox, an
 * auto-reply) change nothing: SES already retried, and next week may work.
 *
 * Input: the SES event JSON of the configuration set's EventBridge destination (the
 * event's `detail`, `eventType` `Bounce` or `Complaint`), or the older SNS notification
 * form with `notificationType`.
 */

const recipient = z.object({ emailAddress: z.string().min(1) });

export const sesEventSchema = z
  .object({
    eventType: z.string().optional(),
    notificationType: z.string().optional(),
    bounce: z
      .object({
        bounceType: z.string(),
        bounceSubType: z.string().optional(),
        bouncedRecipients: z.array(recipient).default([]),
      })
      .optional(),
    complaint: z
      .object({
        complainedRecipients: z.array(recipient).default([]),
        complaintFeedbackType: z.string().optional(),
      })
      .optional(),
  })
  .loose();
export type SesEvent = z.infer<typeof sesEventSchema>;

export interface SesEventOutcome {
  kind: 'permanent-bounce' | 'complaint' | 'ignored';
  /** Users whose reports this event paused. */
  paused: string[];
  /** Recipients with no Sinew user (or already paused): nothing to do. */
  unknown: number;
}

/** Validates an event `detail`, naming what was wrong. */
export function parseSesEvent(detail: unknown): SesEvent {
  const parsed = sesEventSchema.safeParse(detail);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`SES event: ${issue.path.join('.') || 'detail'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Applies one SES event: pauses the reports of each permanently bounced or complaining recipient. */
export async function handleSesEvent(store: Store, event: SesEvent): Promise<SesEventOutcome> {
  const type = event.eventType ?? event.notificationType;
  let kind: SesEventOutcome['kind'] = 'ignored';
  let addresses: string[] = [];
  if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') {
    kind = 'permanent-bounce';
    addresses = event.bounce.bouncedRecipients.map((r) => r.emailAddress);
  } else if (type === 'Complaint' && event.complaint) {
    kind = 'complaint';
    addresses = event.complaint.complainedRecipients.map((r) => r.emailAddress);
  }
  const outcome: SesEventOutcome = { kind, paused: [], unknown: 0 };
  if (kind === 'ignored') return outcome;
  for (const raw of addresses) {
    const address = normalizeAddress(raw);
    // Reports go to the address of a user's first mailbox, which is what their id derives from.
    const user = address ? await store.getUser(userIdFor(address)) : undefined;
    if (!user || normalizeAddress(user.email) !== address || user.reportsPaused) {
      outcome.unknown += 1;
      continue;
    }
    // Only these two attributes, and only while the user exists: a link answered at the
    // same moment (a time zone) is kept, and a disconnect meanwhile is not undone.
    const paused = await store.updateUser(user.userId, { set: { reportsPaused: true, reportsPausedReason: kind === 'complaint' ? 'complaint' : 'bounce' } });
    if (!paused) {
      outcome.unknown += 1;
      continue;
    }
    outcome.paused.push(user.userId);
  }
  return outcome;
}

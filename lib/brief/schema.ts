import * as z from 'zod';

/**
 * The brief's JSON (DESIGN section 9) is a public interface, like the weekly report's:
 * this zod schema mirrors the section key by key and in its order. Consumers (and the
 * tests) validate a brief with {@link briefJsonSchema}; {@link BriefJson} is its type.
 */

const iso = z.iso.datetime({ offset: false });
const day = z.iso.date();
const address = z.string().min(3).includes('@');

/** How the last interaction with an attendee happened. */
const lastDirectionSchema = z.enum(['sent', 'received', 'meeting']);

/** A colleague who also knows the attendee (DESIGN section 10; empty unless team is on). */
const briefColleagueSchema = z.strictObject({
  name: z.string().min(1),
  tier: z.enum(['strong', 'ok', 'weak']),
  /** A UTC day. */
  lastInteraction: day,
});

/** A personal note, shown newest first. */
const briefNoteSchema = z.strictObject({
  id: z.string().min(1),
  at: iso,
  text: z.string().max(2000),
});

/**
 * One external attendee. An attendee Sinew has never seen has `known: false` and nulls
 * for every figure (their notes and colleagues may still be there).
 */
export const briefAttendeeSchema = z.strictObject({
  address,
  name: z.string().nullable(),
  domain: z.string().min(1),
  known: z.boolean(),
  health: z.number().min(0).max(100).nullable(),
  trend: z.enum(['warming', 'steady', 'cooling']).nullable(),
  initiative: z.enum(['mutual', 'you-chase', 'they-chase']).nullable(),
  firstInteraction: iso.nullable(),
  lastInteraction: iso.nullable(),
  lastDirection: lastDirectionSchema.nullable(),
  lastMeeting: iso.nullable(),
  cadenceDays: z.number().nonnegative().nullable(),
  reciprocity: z.number().min(0).max(1).nullable(),
  replyHours: z.strictObject({
    mine: z.number().nonnegative().nullable(),
    theirs: z.number().nonnegative().nullable(),
  }),
  /** Their messages the person owes a reply to (no 48-hour floor), oldest first. */
  owed: z.array(z.strictObject({ receivedAt: iso })),
  /** The person's messages of the 30 days before with no answer and no meeting since, oldest first. */
  awaiting: z.array(z.strictObject({ sentAt: iso })),
  notes: z.array(briefNoteSchema),
  colleagues: z.array(briefColleagueSchema),
});

/** The account line of one organization in a meeting. */
export const briefAccountSchema = z.strictObject({
  domain: z.string().min(1),
  health: z.number().min(0).max(100).nullable(),
  activeContacts: z.number().int().nonnegative(),
  singleThreaded: z.boolean(),
  /**
   * The instant the line's figures are as of: the brief's own, or that of the person's
   * weekly report it was read from (lib/brief/report-accounts.ts), at most 8 days before.
   */
  asOf: iso,
});

/** One briefed meeting: named by its time and attendees (subjects are never stored). */
export const briefMeetingSchema = z.strictObject({
  start: iso,
  end: iso,
  attendees: z.array(briefAttendeeSchema).min(1),
  accounts: z.array(briefAccountSchema),
});

/** The whole brief of one person for one local day. */
export const briefJsonSchema = z.strictObject({
  user: z.string().min(1),
  date: day,
  timeZone: z.string().min(1),
  /** When each mailbox was last synced; `at` is null for one never synced. */
  lastSynced: z.array(z.strictObject({ account: z.string().min(1), at: iso.nullable() })),
  meetings: z.array(briefMeetingSchema),
});

export type BriefJson = z.infer<typeof briefJsonSchema>;
export type BriefMeeting = z.infer<typeof briefMeetingSchema>;
export type BriefAttendee = z.infer<typeof briefAttendeeSchema>;
export type BriefAccount = z.infer<typeof briefAccountSchema>;
export type BriefNote = z.infer<typeof briefNoteSchema>;
export type BriefColleague = z.infer<typeof briefColleagueSchema>;
export type LastDirection = z.infer<typeof lastDirectionSchema>;

/**
 * The demo mailbox as data, before it is written out as mbox and iCalendar text: the
 * people, the messages and meetings, and what the report is meant to find in them.
 */

/** Someone who writes or is written to; `tz` is where their working day is. */
export interface Person {
  name: string;
  /** The address as this person writes it (not normalized: variants are the point). */
  address: string;
  tz: string;
}

/** A mail message as it will appear in the mbox. */
export interface DemoMessage {
  /** Without angle brackets. */
  messageId: string;
  at: Date;
  from: Person;
  to: Person[];
  cc: Person[];
  subject: string;
  inReplyTo: string | null;
  references: string[];
  /** Takeout's `X-GM-THRID` (decimal); null where the export left it out. */
  gmThreadId: string | null;
  /** Takeout's `X-Gmail-Labels`, by display name (`Sent`, `Inbox`, `Category Promotions`). */
  labels: string[];
  /** List and automation headers, in order (`List-Id`, `Precedence`, ...). */
  extraHeaders: Array<[string, string]>;
  body: string;
}

export type PartStat = 'ACCEPTED' | 'DECLINED' | 'TENTATIVE' | 'NEEDS-ACTION';

export interface DemoAttendee extends Person {
  partstat: PartStat;
}

/** One VEVENT: a single meeting, a recurring series, or one moved occurrence of a series. */
export interface DemoEvent {
  uid: string;
  summary: string;
  /** Long text, so the calendar has lines that must be folded. */
  description: string;
  start: Date;
  minutes: number;
  /** Written as `DTSTART;TZID=tz` local time; null: written in UTC (`...Z`). */
  tz: string | null;
  /** All-day event (`VALUE=DATE`), no attendees. */
  allDay: boolean;
  organizer: Person;
  attendees: DemoAttendee[];
  status: 'CONFIRMED' | 'CANCELLED' | 'TENTATIVE';
  /** Weekly series: `RRULE:FREQ=WEEKLY;COUNT=count` on the start's weekday. */
  weeklyCount: number | null;
  /** Occurrence starts removed from the series (`EXDATE`). */
  exdates: Date[];
  /** For a moved occurrence: the original start it replaces (`RECURRENCE-ID`). */
  recurrenceId: Date | null;
  sequence: number;
}

/** One meeting occurrence after expanding series, exceptions and moves. */
export interface Occurrence {
  uid: string;
  start: Date;
  minutes: number;
  cancelled: boolean;
  organizer: string;
  attendees: Array<{ address: string; partstat: PartStat }>;
}

/** A flag the report must raise for some addresses and must not raise for others. */
export interface FlagExpectation {
  include: string[];
  exclude: string[];
}

/**
 * What the demo is built to show, in normalized addresses (domains for accounts), so an
 * end-to-end test can check the pipeline surfaces each story.
 */
export interface DemoExpectations {
  asOf: string;
  /** The user's addresses (connected, and the alias that sends some mail). */
  me: string[];
  fading: FlagExpectation;
  owedReplies: FlagExpectation;
  awaitingReply: FlagExpectation;
  noFaceTime: FlagExpectation;
  /** Organization domains. */
  singleThreaded: FlagExpectation;
  /** Contacts whose trend must be `warming`. */
  warming: string[];
  /** Regular two-way relationships: must be among the contacts, none fading or awaiting. */
  healthy: string[];
  /** Addresses that must never appear as contacts, by why they are left out. */
  excluded: { automated: string[]; broadcast: string[]; internal: string[] };
  /** Normalized address → the raw spellings the mbox uses for it (must collapse to one). */
  merged: Record<string, string[]>;
  /** Messages written per exclusion reason (a message is counted under its first reason). */
  excludedMessages: { automated: number; broadcast: number; internal: number; duplicates: number };
  counts: {
    /** Messages in the mbox (From_ lines). */
    messages: number;
    /** VEVENT blocks in the calendar. */
    events: number;
    /**
     * Calendar occurrences starting before asOf after expanding series: cancelled ones and
     * the all-day out-of-office entry included, as an importer yields them.
     */
    pastOccurrences: number;
  };
}

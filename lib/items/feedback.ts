/** A user's answer to a flag, from the email's signed links (DESIGN section 4). */
export interface Feedback {
  contact: string;
  /**
   * `undo` cancels the contact's earlier answer: while it is the latest, the contact is
   * judged as if never answered (a record, because the latest answer per contact wins).
   */
  action: 'fine' | 'snooze' | 'mute' | 'undo';
  /** ISO time the answer was given. */
  at: string;
  /** Snooze only: ISO time the snooze ends. */
  until?: string;
}

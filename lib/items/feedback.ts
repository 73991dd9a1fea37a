/** A user's answer to a flag, from the email's signed links (DESIGN section 4). */
export interface Feedback {
  contact: string;
  /**
   * `undo` cancels the contact's earlier answer: while it is the latest, the contact is
   * judged as if never answered (a record, because the latest answer per contact wins).
   * `private` ("keep private", DESIGN section 10) keeps the contact out of the team index
   * and changes no flag: it is a sharing answer, kept apart from the flag answers (see
   * {@link isSharingAnswer}), so marking a muted contact private leaves it muted.
   */
  action: 'fine' | 'snooze' | 'mute' | 'private' | 'undo';
  /** ISO time the answer was given. */
  at: string;
  /** Snooze only: ISO time the snooze ends. */
  until?: string;
  /**
   * `sharing` on an `undo` that cancels a `private` answer; absent on every flag answer.
   * A `private` answer is about sharing whether or not it says so.
   */
  scope?: 'sharing';
}

/**
 * Whether an answer is about sharing (a `private`, or the `undo` of one) rather than about
 * flags: the store keeps the latest answer of each kind per contact, and health reads only
 * the flag answers.
 */
export function isSharingAnswer(f: Pick<Feedback, 'action' | 'scope'>): boolean {
  return f.action === 'private' || f.scope === 'sharing';
}

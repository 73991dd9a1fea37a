import { GMAIL } from './limits.ts';

/**
 * What the README tells an admin to set for a Google Workspace fleet of `mailboxes`
 * (each figure behind it is in `npm run bench:fleet`'s table):
 * - syncConcurrency: one slot per mailbox up to the count whose per-user pacing (95% of
 *   6,000 units a minute each) fills 95% of the project's 1,200,000: 200. More only makes
 *   Google refuse calls (429) unless the project's quota is raised.
 */
export function recommendedSettings(mailboxes: number): { syncConcurrency: number } {
  const perUser = GMAIL.userUnitsPerMin * GMAIL.utilization;
  const projectCap = Math.floor((GMAIL.projectUnitsPerMin * 0.95) / perUser);
  return { syncConcurrency: Math.min(mailboxes, projectCap) };
}

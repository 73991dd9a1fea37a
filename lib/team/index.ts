/**
 * The opt-in team view (DESIGN section 10): the index each sharer publishes to, account
 * coverage, warm paths, who-knows, and what each person controls.
 */
export type * from './types.ts';
export { OK_HEALTH, STRONG_HEALTH, isActiveRelationship, sharerNameOf, teamEntriesOf, tierOf, withheldContacts, type Sharer, type TeamEntriesInput } from './entries.ts';
export { byTierThenRecent, colleaguesAt, isTeamSingleThreaded, teamAccounts } from './coverage.ts';
export { MAX_PATH_COLLEAGUES, warmPaths } from './paths.ts';
export { NOT_SHARING, teamViewFor, type TeamReportInput } from './publish.ts';
export { WHAT_IS_SHARED, isSharing, keepPrivate, markTeamTold, removeFromTeam, shareAgain, stopSharing, teamNoticeDue, undoKeepPrivate, type SharingChange } from './sharing.ts';
export { MAX_BRIEF_COLLEAGUES, briefColleagues, type ContactColleague, type ContactColleagues } from './brief.ts';
export { NotSharingError, whoKnows, type WhoKnowsAnswer } from './who-knows.ts';

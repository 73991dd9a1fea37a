/** File importers: Google Takeout (and other) mbox archives and iCalendar exports. */
export { readMbox, toMailItem, bulkSignals, DEFAULT_MBOX_BOUNDS } from './mbox.ts';
export type { MboxOptions, MboxMessage } from './mbox.ts';
export { streamIcs, readIcs, parseIcs } from './ics.ts';
export { DEFAULT_ICS_LIMITS } from './ics-reader.ts';
export type { IcsOptions, IcsLimits } from './ics-reader.ts';
export type { FileSkip, OnSkip } from './skips.ts';
export { parseAddressList } from './address-list.ts';
export type { ParsedAddress } from './address-list.ts';
export { parseMailDate } from './mail-date.ts';
export { takeoutLabels } from './takeout-labels.ts';
export { zonedTimeToUtc } from '#lib/time/wall-clock.ts';
export { MBOX_FOLDER_PREFIX, mboxFolderLabel, mboxFolderOf, isDeletedItemsFolder } from '#lib/items/folders.ts';

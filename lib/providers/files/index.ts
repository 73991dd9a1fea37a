/** File importers: Google Takeout (and other) mbox archives and iCalendar exports. */
export { readMbox, toMailItem, bulkSignals } from './mbox.ts';
export type { MboxOptions } from './mbox.ts';
export { readIcs, parseIcs } from './ics.ts';
export type { IcsOptions } from './ics.ts';
export { parseAddressList } from './address-list.ts';
export type { ParsedAddress } from './address-list.ts';
export { parseMailDate } from './mail-date.ts';
export { takeoutLabels } from './takeout-labels.ts';
export { zonedTimeToUtc } from './zoned-time.ts';
export { MBOX_FOLDER_PREFIX, mboxFolderLabel, mboxFolderOf, isDeletedItemsFolder } from './mbox-folder.ts';

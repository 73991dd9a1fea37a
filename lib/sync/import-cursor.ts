/**
 * The cursor an archive import stamps on a files account when it imported a calendar
 * (`ics`), so the report knows the person has a calendar source even when it held no
 * meeting. Its own module so the report reads it without loading the file readers.
 */
export const ICS_IMPORT_CURSOR = 'ics';

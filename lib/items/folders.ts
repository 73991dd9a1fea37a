/**
 * The folder an archived message was filed in, as a label the rest of the pipeline can
 * read without mistaking it for a Gmail label or a Graph folder.
 *
 * Some mbox conversions record the source folder in an `X-Folder` header (the Enron
 * corpus: `\Phillip_Allen_June2001\Notes Folders\Sent`); Takeout files carry real Gmail
 * labels instead and have none. Deduplication needs the folder: one folder never holds
 * two copies of one message, so two look-alike messages in the same folder are two
 * messages (see interactions/dedupe).
 *
 * The label keeps the whole path, not only its last segment: an archive merged from
 * several exports repeats folder names (`'sent mail` of a Notes export and `'Sent Mail`
 * of an Outlook one, `Sent Items` of two Outlook stores), and those are different folders
 * whose copies of one message must still be recognized as copies.
 *
 * Nothing treats this label as a Gmail system label or a Graph folder: classify matches
 * `SPAM`, `DRAFT`, `folder:junkemail` and the like exactly, and `mbox-folder:` matches
 * none of them, so a folder named `Junk` or `Drafts` in an archive is not excluded
 * (DESIGN section 3: for files, folders carry no meaning for what counts). The one
 * meaning given to an archive folder is Deleted Items (see {@link isDeletedItemsFolder}).
 */

/** Prefix of the label that names an archive folder. */
export const MBOX_FOLDER_PREFIX = 'mbox-folder:';

/** Longest folder path kept; longer values are not a folder path but a broken header. */
const MAX_FOLDER_CHARS = 512;

/**
 * The label for an `X-Folder` header value (already decoded): `mbox-folder:<path>` with
 * whitespace folded, or null when the header is absent or empty.
 */
export function mboxFolderLabel(xFolder: string | undefined): string | null {
  if (xFolder === undefined) return null;
  const path = xFolder.replace(/\s+/g, ' ').trim();
  if (!path || path.length > MAX_FOLDER_CHARS) return null;
  return `${MBOX_FOLDER_PREFIX}${path}`;
}

/** The archive folder path a message's labels name, or null when none does. */
export function mboxFolderOf(labels: readonly string[]): string | null {
  for (const label of labels) {
    if (label.startsWith(MBOX_FOLDER_PREFIX)) return label.slice(MBOX_FOLDER_PREFIX.length);
  }
  return null;
}

/** Last segments of folder paths that hold deleted mail, lower-cased. */
const DELETED_FOLDER_NAMES: ReadonlySet<string> = new Set(['deleted items', 'deleted messages', 'trash']);

/**
 * True when an archive folder path ends in a deleted-mail folder (`Deleted Items`,
 * `Deleted Messages`, `Trash`; a leading `'` as Enron writes some names is ignored).
 * Such a folder is the archive's counterpart of Outlook's Deleted Items, which Graph
 * sync marks `folder:deleteditems`: its mail still counts, but a trashed inbound message
 * is never an owed reply (DESIGN section 3).
 */
export function isDeletedItemsFolder(path: string): boolean {
  const last = path.split(/[\\/]/).filter((s) => s.trim() !== '').at(-1) ?? '';
  return DELETED_FOLDER_NAMES.has(last.trim().replace(/^'+/, '').replace(/\s+/g, ' ').toLowerCase());
}

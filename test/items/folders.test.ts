import { describe, expect, it } from 'vitest';
import { automatedReason } from '#lib/interactions/classify.ts';
import { isSentCopy } from '#lib/interactions/me.ts';
import { toMailItem, type MboxMessage } from '#lib/providers/files/mbox.ts';
import { isDeletedItemsFolder, mboxFolderLabel, mboxFolderOf } from '#lib/items/folders.ts';

/** A parsed message as the mbox splitter hands it over: lower-cased headers, the raw header block. */
function message(headers: Record<string, string>): MboxMessage {
  const text = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n');
  return {
    returnPath: 'MAILER-DAEMON', time: false, content: Buffer.from(text, 'latin1'),
    headers: new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]])),
  };
}

const ENRON_HEADERS = {
  'Message-ID': '<1.2.JavaMail.evans@thyme>',
  Date: 'Thu, 10 May 2001 12:50:00 -0700 (PDT)',
  From: 'phillip.allen@enron.com',
  To: 'jsmith@austintx.com',
  Subject: 'Re: release',
};

describe('archive folder labels', () => {
  it('labels an Enron message with the whole X-Folder path, whitespace folded', () => {
    const item = toMailItem(message({ ...ENRON_HEADERS, 'X-Folder': '\\PALLEN (Non-Privileged)\\Allen, Phillip K.\\Sent   Items ' }), 'a')!;
    expect(item.labels).toEqual(['mbox-folder:\\PALLEN (Non-Privileged)\\Allen, Phillip K.\\Sent Items']);
    expect(mboxFolderOf(item.labels)).toBe('\\PALLEN (Non-Privileged)\\Allen, Phillip K.\\Sent Items');
  });

  it('keeps Takeout labels and adds the folder after them; none without X-Folder', () => {
    const both = toMailItem(message({ ...ENRON_HEADERS, 'X-Gmail-Labels': 'Sent,Opened', 'X-Folder': 'Archive' }), 'a')!;
    expect(both.labels).toEqual(['SENT', 'mbox-folder:Archive']);
    expect(toMailItem(message(ENRON_HEADERS), 'a')!.labels).toEqual([]);
    expect(toMailItem(message({ ...ENRON_HEADERS, 'X-Folder': '   ' }), 'a')!.labels).toEqual([]);
  });

  it('tells apart folders that share a last segment in different exports', () => {
    expect(mboxFolderLabel("\\Phillip_Allen_June2001\\Notes Folders\\'sent mail")).not.toBe(
      mboxFolderLabel("\\Phillip_Allen_Jan2002_1\\Allen, Phillip K.\\'Sent Mail"),
    );
    expect(mboxFolderLabel(undefined)).toBeNull();
    expect(mboxFolderLabel('x'.repeat(600))).toBeNull();
  });

  it('is not a Gmail or Graph label: a Junk, Drafts or Sent folder changes no rule', () => {
    for (const folder of ['\\me\\Junk E-mail', '\\me\\Drafts', 'Spam', 'junkemail', 'DRAFT']) {
      const item = toMailItem(message({ ...ENRON_HEADERS, 'X-Folder': folder }), 'a')!;
      expect([folder, automatedReason(item)]).toEqual([folder, null]);
    }
    const sentFolder = toMailItem(message({ ...ENRON_HEADERS, 'X-Folder': 'SENT' }), 'a')!;
    expect(isSentCopy(sentFolder)).toBe(false); // archives know Me only from --me
  });

  it('recognizes deleted-mail folders by their last segment only', () => {
    expect(isDeletedItemsFolder('\\PALLEN (Non-Privileged)\\Allen, Phillip K.\\Deleted Items')).toBe(true);
    expect(isDeletedItemsFolder("\\x\\'deleted items")).toBe(true);
    expect(isDeletedItemsFolder('Mail/Trash')).toBe(true);
    expect(isDeletedItemsFolder('Deleted Messages')).toBe(true);
    expect(isDeletedItemsFolder('\\Deleted Items\\Inbox')).toBe(false);
    expect(isDeletedItemsFolder('\\x\\Sent Items')).toBe(false);
    expect(isDeletedItemsFolder('\\x\\Deleted Items old')).toBe(false);
  });
});

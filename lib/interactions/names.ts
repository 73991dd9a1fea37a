import type { MailItem, MeetingItem } from '#lib/items/types.ts';

/**
 * The most recent non-empty display name per contact (DESIGN section 3), read only from
 * the items that yield interactions (or upcoming meetings) with that contact, so every
 * name belongs to a contact and a mailing list's "Ann via List" never renames Ann. A
 * name is looked up for the contact, never enumerated: enumerating every message's name
 * record costs more than the rest of the extraction. Same instant, different names: the
 * smaller string wins, so input order never matters.
 */
export class NameBook {
  private readonly contacts = new Map<string, { name: string; at: number }>();

  /** Offers the names a message gives for the contacts it yields interactions with. */
  learnFromMail(item: MailItem, contacts: readonly string[], at: number): void {
    // Own properties only: a name record is a plain object keyed by address.
    for (const c of contacts) this.offer(c, Object.hasOwn(item.names, c) ? item.names[c] : undefined, at);
  }

  /** Offers the attendee names of a meeting for its contacts. */
  learnFromMeeting(item: MeetingItem, contacts: readonly string[], at: number): void {
    for (const c of contacts) this.offer(c, item.attendees.find((a) => a.address === c)?.name, at);
  }

  /** Each named contact's name, in address order. */
  resolve(): Map<string, string> {
    const out = new Map<string, string>();
    for (const contact of [...this.contacts.keys()].sort()) out.set(contact, this.contacts.get(contact)!.name);
    return out;
  }

  private offer(contact: string, raw: string | undefined, at: number): void {
    const name = raw?.trim();
    if (!name) return;
    const seen = this.contacts.get(contact);
    if (!seen) this.contacts.set(contact, { name, at });
    else if (at > seen.at || (at === seen.at && name < seen.name)) {
      seen.name = name;
      seen.at = at;
    }
  }
}

/**
 * The state behind the Graph mail emulator: folders (well-known and user folders),
 * messages with Graph's properties and their transport headers, and a change log per
 * folder that delta rounds read. Every message has an immutable id and a regular id
 * that changes when it moves, as Exchange's ids do without `Prefer: IdType="ImmutableId"`.
 */

/** A recipient as Graph writes it. */
export interface GraphRecipient {
  emailAddress: { name: string; address: string };
}

/** One transport header, as `internetMessageHeaders` lists them. */
export interface GraphHeader {
  name: string;
  value: string;
}

/** A message as the mailbox stores it. */
export interface StoredGraphMessage {
  immutableId: string;
  folderId: string;
  /** Moves so far: the regular id is `${immutableId}.${moves}`-like, so it changes on each. */
  moves: number;
  subject: string | null;
  from: GraphRecipient | null;
  toRecipients: GraphRecipient[];
  ccRecipients: GraphRecipient[];
  bccRecipients: GraphRecipient[];
  sentDateTime: string;
  receivedDateTime: string;
  internetMessageId: string | null;
  conversationId: string;
  inferenceClassification: 'focused' | 'other';
  isDraft: boolean;
  isRead: boolean;
  internetMessageHeaders: GraphHeader[];
}

/** What {@link GraphMailbox.addMessage} takes. */
export type NewGraphMessage = Partial<Omit<StoredGraphMessage, 'immutableId' | 'folderId' | 'moves'>> & {
  /** Folder id or well-known name. @default 'inbox' */
  folder?: string;
  receivedDateTime: string;
};

/** A mail folder. */
export interface GraphFolder {
  id: string;
  wellKnown: string | null;
  displayName: string;
  parentId: string | null;
  /** Delta tokens older than this sequence number are expired (410). */
  minSeq: number;
}

/** One change to one folder's contents. */
export interface FolderChange {
  seq: number;
  folderId: string;
  immutableId: string;
  /** The regular id the message had in this folder at the time. */
  regularId: string;
  kind: 'upsert' | 'removed';
}

const WELL_KNOWN: Array<[string, string]> = [
  ['msgfolderroot', 'Top of Information Store'], ['inbox', 'Inbox'], ['sentitems', 'Sent Items'],
  ['deleteditems', 'Deleted Items'], ['archive', 'Archive'], ['junkemail', 'Junk Email'], ['drafts', 'Drafts'],
];

/** One user's mailbox. */
export class GraphMailbox {
  readonly folders = new Map<string, GraphFolder>();
  readonly messages = new Map<string, StoredGraphMessage>();
  readonly changes: FolderChange[] = [];
  seq = 0;
  private nextMessage = 0;
  private nextFolder = 0;

  constructor(
    readonly address: string,
    /** `proxyAddresses` as Exchange lists them (`SMTP:` primary, `smtp:` aliases). */
    readonly proxyAddresses: string[] = [`SMTP:${address}`],
    readonly userPrincipalName: string = address,
  ) {
    for (const [wellKnown, displayName] of WELL_KNOWN) {
      const id = folderId(wellKnown);
      this.folders.set(id, { id, wellKnown, displayName, parentId: wellKnown === 'msgfolderroot' ? null : folderId('msgfolderroot'), minSeq: 0 });
    }
  }

  /** A folder by id or well-known name. */
  folder(idOrName: string): GraphFolder | undefined {
    return this.folders.get(idOrName) ?? this.folders.get(folderId(idOrName.toLowerCase()));
  }

  /** Adds a user folder under `parent` (id or well-known name). */
  addFolder(displayName: string, parent = 'inbox'): GraphFolder {
    const p = this.mustFolder(parent);
    const id = `AAMkAGZvbGRlcg${++this.nextFolder}AAA=`;
    const f: GraphFolder = { id, wellKnown: null, displayName, parentId: p.id, minSeq: 0 };
    this.folders.set(id, f);
    return f;
  }

  /** Drops a folder (its messages go with it, each recorded as removed). */
  removeFolder(idOrName: string): void {
    const f = this.mustFolder(idOrName);
    for (const m of this.inFolder(f.id)) this.deleteMessage(m.immutableId);
    this.folders.delete(f.id);
  }

  /** Adds a message and records it in its folder's change log. */
  addMessage(m: NewGraphMessage): StoredGraphMessage {
    const folder = this.mustFolder(m.folder ?? 'inbox');
    const n = ++this.nextMessage;
    const stored: StoredGraphMessage = {
      immutableId: `AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A${n.toString(16).padStart(8, '0')}AAA=`,
      folderId: folder.id,
      moves: 0,
      subject: m.subject ?? null,
      from: m.from ?? null,
      toRecipients: m.toRecipients ?? [],
      ccRecipients: m.ccRecipients ?? [],
      bccRecipients: m.bccRecipients ?? [],
      sentDateTime: m.sentDateTime ?? m.receivedDateTime,
      receivedDateTime: m.receivedDateTime,
      internetMessageId: m.internetMessageId ?? null,
      conversationId: m.conversationId ?? `conv-${n}`,
      inferenceClassification: m.inferenceClassification ?? 'focused',
      isDraft: m.isDraft ?? false,
      isRead: m.isRead ?? false,
      internetMessageHeaders: m.internetMessageHeaders ?? [],
    };
    this.messages.set(stored.immutableId, stored);
    this.record(stored, 'upsert');
    return stored;
  }

  /** Moves a message (the UI's Delete moves to Deleted Items): removed here, new there. */
  move(immutableId: string, to: string): void {
    const m = this.get(immutableId);
    const target = this.mustFolder(to);
    if (target.id === m.folderId) return;
    this.record(m, 'removed');
    m.folderId = target.id;
    m.moves++;
    this.record(m, 'upsert');
  }

  /** Changes properties (read state, Focused/Other): an update in the folder's delta. */
  update(immutableId: string, patch: Partial<Pick<StoredGraphMessage, 'isRead' | 'inferenceClassification'>>): void {
    const m = this.get(immutableId);
    Object.assign(m, patch);
    this.record(m, 'upsert');
  }

  /** Deletes a message for good (emptied from Deleted Items). */
  deleteMessage(immutableId: string): void {
    const m = this.get(immutableId);
    this.messages.delete(immutableId);
    this.record(m, 'removed');
  }

  /** Expires every delta token issued so far for `folder` (all folders when omitted). */
  expireDeltaTokens(folder?: string): void {
    const targets = folder === undefined ? [...this.folders.values()] : [this.mustFolder(folder)];
    for (const f of targets) f.minSeq = this.seq + 1;
  }

  get(immutableId: string): StoredGraphMessage {
    const m = this.messages.get(immutableId);
    if (!m) throw new Error(`no message ${immutableId}`);
    return m;
  }

  /** The id clients see: immutable when they asked for it, else the regular one. */
  idOf(m: StoredGraphMessage, immutable: boolean): string {
    return immutable ? m.immutableId : regularId(m);
  }

  /** Finds a message by either id; an outdated regular id finds nothing, as in Exchange. */
  find(id: string): StoredGraphMessage | undefined {
    const direct = this.messages.get(id);
    if (direct) return direct;
    const m = /^(.*)\.m(\d+)$/.exec(id);
    const byRegular = m ? this.messages.get(m[1]!) : undefined;
    return byRegular && regularId(byRegular) === id ? byRegular : undefined;
  }

  /** A folder's messages, newest first. */
  inFolder(id: string): StoredGraphMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.folderId === id)
      .sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime) || a.immutableId.localeCompare(b.immutableId));
  }

  /** Changes to `folder` after `seq`, one per message (its latest), oldest first. */
  changesSince(id: string, seq: number): FolderChange[] {
    const latest = new Map<string, FolderChange>();
    for (const c of this.changes) {
      if (c.folderId !== id || c.seq <= seq) continue;
      latest.delete(c.immutableId);
      latest.set(c.immutableId, c);
    }
    return [...latest.values()];
  }

  private record(m: StoredGraphMessage, kind: FolderChange['kind']): void {
    this.changes.push({ seq: ++this.seq, folderId: m.folderId, immutableId: m.immutableId, regularId: regularId(m), kind });
  }

  private mustFolder(idOrName: string): GraphFolder {
    const f = this.folder(idOrName);
    if (!f) throw new Error(`no folder ${idOrName}`);
    return f;
  }
}

/** The opaque id of a well-known folder. */
export function folderId(wellKnown: string): string {
  return `AAMkAGZvbGRlci${Buffer.from(wellKnown).toString('base64url')}AAA=`;
}

function regularId(m: StoredGraphMessage): string {
  return `${m.immutableId}.m${m.moves}`;
}

/**
 * The state behind the Gmail emulator: messages with labels and headers, a history id
 * bumped on every change, and the history records `history.list` pages through.
 */

/** A header as Gmail's `payload.headers` carries it. */
export interface GmailHeader {
  name: string;
  value: string;
}

/** A message as the mailbox stores it. */
export interface StoredMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  /** Epoch ms. */
  internalDate: number;
  headers: GmailHeader[];
  /** History id of the message's last change. */
  historyId: number;
}

interface MessageRef {
  id: string;
  threadId: string;
  labelIds?: string[];
}

/** One history record, as `history.list` returns it (ids as numbers here). */
export interface HistoryRecord {
  id: number;
  messages: Array<{ id: string; threadId: string }>;
  messagesAdded?: Array<{ message: MessageRef }>;
  messagesDeleted?: Array<{ message: MessageRef }>;
  labelsAdded?: Array<{ message: MessageRef; labelIds: string[] }>;
  labelsRemoved?: Array<{ message: MessageRef; labelIds: string[] }>;
}

/** What {@link GmailMailbox.addMessage} takes. */
export interface NewMessage {
  id?: string;
  /** The thread to join; a new thread (id = message id) when absent. */
  threadId?: string;
  labelIds?: string[];
  internalDate: number;
  headers: GmailHeader[];
}

/** One user's mailbox. */
export class GmailMailbox {
  readonly messages = new Map<string, StoredMessage>();
  readonly history: HistoryRecord[] = [];
  historyId: number;
  /** History older than this is gone: a `startHistoryId` below it answers 404. */
  oldestHistoryId: number;
  private nextId = 0;
  private sorted: StoredMessage[] | null = null;

  constructor(
    readonly emailAddress: string,
    startHistoryId = 100_000,
  ) {
    this.historyId = startHistoryId;
    this.oldestHistoryId = startHistoryId;
  }

  /** Adds a message and records `messageAdded`. */
  addMessage(m: NewMessage): StoredMessage {
    const id = m.id ?? this.newId();
    if (this.messages.has(id)) throw new Error(`message ${id} already exists`);
    const stored: StoredMessage = {
      id,
      threadId: m.threadId ?? id,
      labelIds: [...(m.labelIds ?? ['INBOX'])],
      internalDate: m.internalDate,
      headers: m.headers.map((h) => ({ ...h })),
      historyId: 0,
    };
    this.messages.set(id, stored);
    this.sorted = null;
    stored.historyId = this.record({ messagesAdded: [{ message: ref(stored) }] }, stored);
    return stored;
  }

  /** Adds and removes labels, recording `labelAdded`/`labelRemoved`. */
  modify(id: string, add: string[], remove: string[] = []): void {
    const m = this.get(id);
    const added = add.filter((l) => !m.labelIds.includes(l));
    const removed = remove.filter((l) => m.labelIds.includes(l));
    if (added.length === 0 && removed.length === 0) return;
    m.labelIds = [...m.labelIds.filter((l) => !removed.includes(l)), ...added];
    const rec: Omit<HistoryRecord, 'id' | 'messages'> = {};
    if (added.length > 0) rec.labelsAdded = [{ message: ref(m), labelIds: added }];
    if (removed.length > 0) rec.labelsRemoved = [{ message: ref(m), labelIds: removed }];
    m.historyId = this.record(rec, m);
  }

  /** Moves a message to Trash, as the Gmail UI does (adds TRASH, removes INBOX). */
  trash(id: string): void {
    this.modify(id, ['TRASH'], ['INBOX']);
  }

  /** Deletes a message for good, recording `messageDeleted`. */
  deleteMessage(id: string): void {
    const m = this.get(id);
    this.messages.delete(id);
    this.sorted = null;
    this.record({ messagesDeleted: [{ message: ref(m) }] }, m);
  }

  /** Forgets all history so far: any stored `historyId` now answers 404. */
  expireHistory(): void {
    this.oldestHistoryId = ++this.historyId;
    this.history.length = 0;
  }

  get(id: string): StoredMessage {
    const m = this.messages.get(id);
    if (!m) throw new Error(`no message ${id}`);
    return m;
  }

  /** All messages, newest first (internalDate, then id), as `messages.list` orders them. */
  newestFirst(): StoredMessage[] {
    this.sorted ??= [...this.messages.values()].sort(
      (a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
    return this.sorted;
  }

  /** A thread's messages, oldest first. */
  thread(threadId: string): StoredMessage[] {
    return this.newestFirst().filter((m) => m.threadId === threadId).reverse();
  }

  /** Number of distinct threads. */
  threadCount(): number {
    return new Set([...this.messages.values()].map((m) => m.threadId)).size;
  }

  private newId(): string {
    // Gmail ids are 16 hex digits.
    return (0x18c0000000000000n + BigInt(++this.nextId)).toString(16);
  }

  private record(rec: Omit<HistoryRecord, 'id' | 'messages'>, m: StoredMessage): number {
    const id = ++this.historyId;
    this.history.push({ id, messages: [{ id: m.id, threadId: m.threadId }], ...rec });
    return id;
  }
}

function ref(m: StoredMessage): MessageRef {
  return { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds] };
}

import { afterEach, describe, expect, it } from 'vitest';
import { addNote, drain, fourFolders, harness, stored } from './mail-harness.ts';
import type { Harness } from './mail-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('GraphMailSource incremental', () => {
  it('picks up new, moved and deleted mail; a message moved to Deleted Items keeps its id and counts once', async () => {
    const box = fourFolders(6);
    const kept = [...box.inFolder(box.folder('inbox')!.id)].map((m) => m.immutableId);
    h = await harness(box);
    const source = h.source({ pageSize: 4 });
    const first = await drain(source);
    const items = stored(first);
    expect(items.size).toBe(24);

    const fresh = addNote(box, 'inbox', 100);
    box.move(kept[0]!, 'deleteditems');
    const gone = [...box.inFolder(box.folder('deleteditems')!.id)].at(-1)!.immutableId;
    box.deleteMessage(gone);
    box.update(kept[1]!, { isRead: true });
    h.emulator.requests.length = 0;

    const second = await drain(source, first.at(-1)!.cursor);
    stored(second, items);
    const removed = second.flatMap((p) => p.removed);
    expect(removed.sort()).toEqual([kept[0]!, gone].sort());
    const changed = second.flatMap((p) => p.items).map((i) => i.providerId);
    expect(changed.sort()).toEqual([fresh, kept[0]!, kept[1]!].sort());
    // Same id, new folder: the store overwrites it, so it is held once, now as deleted mail.
    expect(items.size).toBe(25);
    expect(items.get(kept[0]!)!.labels).toEqual(['folder:deleteditems']);
    // A permanently deleted message keeps counting: nothing asks the store to drop it.
    expect(items.has(gone)).toBe(true);
    // Tracked rounds follow the deltaLinks (one per folder), no full listing again.
    expect(h.emulator.requests.filter((r) => r.path.endsWith('/delta')).every((r) => r.query.has('$deltatoken'))).toBe(true);
    expect(second.at(-1)!.done).toBe(true);
  });

  it('costs one request per folder when nothing changed', async () => {
    const box = fourFolders(3);
    box.addFolder('Sub');
    h = await harness(box);
    const source = h.source();
    const first = await drain(source);
    h.emulator.requests.length = 0;
    const idle = await drain(source, first.at(-1)!.cursor);
    expect(idle.flatMap((p) => p.items)).toEqual([]);
    const folders = new Set(h.emulator.requests.map((r) => r.path.split('/').at(-3)));
    expect(h.emulator.requests).toHaveLength(5);
    expect(folders.size).toBe(5);
    expect(h.emulator.requests.every((r) => r.path.endsWith('/messages/delta') && r.query.has('$deltatoken'))).toBe(true);
    // Once the folder list is older than folderRefreshMs, /me and childFolders are read again.
    h.clock.advance(7 * 3_600_000);
    h.emulator.requests.length = 0;
    await drain(source, idle.at(-1)!.cursor);
    expect(h.emulator.count('/v1.0/me/mailFolders/inbox/childFolders')).toBe(1);
    expect(h.emulator.requests.length).toBe(5 + 2);
  });

  it('resyncs only the folder whose delta token expired', async () => {
    const box = fourFolders(5);
    h = await harness(box);
    const source = h.source({ pageSize: 3 });
    const first = await drain(source);
    box.expireDeltaTokens('sentitems');
    h.emulator.requests.length = 0;
    const second = await drain(source, first.at(-1)!.cursor);
    const sent = h.emulator.requests.filter((r) => r.path.includes('/sentitems/') || r.path.includes(encodeURIComponent(box.folder('sentitems')!.id)));
    expect(sent[0]).toMatchObject({ status: 410 });
    expect(sent[0]!.query.has('$deltatoken')).toBe(true);
    expect(sent[1]!.query.has('$deltatoken') || sent[1]!.query.has('$skiptoken')).toBe(false);
    // The other folders made one tracked request each and returned nothing.
    const others = h.emulator.requests.filter((r) => !sent.includes(r));
    expect(others).toHaveLength(3);
    expect(others.every((r) => r.query.has('$deltatoken') && r.status === 200)).toBe(true);
    const again = second.flatMap((p) => p.items);
    expect(again).toHaveLength(5);
    expect(again.every((i) => i.kind === 'mail' && i.labels.includes('folder:sentitems'))).toBe(true);
    expect(second.at(-1)!.done).toBe(true);
  });

  it('resumes after a crash from the last stored cursor and ends where a clean run ends', async () => {
    const box = fourFolders(10);
    const sub = box.addFolder('Sub');
    for (let i = 0; i < 10; i++) addNote(box, sub.id, 200 + i);
    h = await harness(box);
    const clean = stored(await drain(h.source({ pageSize: 3 })));

    // Crash: the process dies after storing a few pages (the engine stores the cursor last).
    const crashed = new Map<string, unknown>();
    let cursor: string | undefined;
    let n = 0;
    for await (const page of h.source({ pageSize: 3 }).pages(undefined)) {
      for (const it of page.items) crashed.set(it.providerId, it);
      cursor = page.cursor;
      if (++n === 5) break;
    }
    expect(crashed.size).toBeLessThan(clean.size);
    const mid = JSON.parse(cursor!) as { folders: Array<{ linkKind?: string }> };
    expect(mid.folders.some((f) => f.linkKind === 'next')).toBe(true);

    // And a failure mid-pass: Graph keeps failing one folder until the pacer gives up.
    h.emulator.fault({ path: encodeURIComponent(sub.id), status: 500, times: 100 });
    const failing = h.source({ pageSize: 3 }).pages(cursor);
    await expect((async () => {
      for await (const page of failing) {
        for (const it of page.items) crashed.set(it.providerId, it);
        cursor = page.cursor;
      }
    })()).rejects.toThrow(/still failing/);
    h.emulator.clearFaults();
    h.emulator.requests.length = 0;
    const resumed = await drain(h.source({ pageSize: 3 }), cursor);
    for (const p of resumed) for (const it of p.items) crashed.set(it.providerId, it);
    expect(new Set(crashed.keys())).toEqual(new Set(clean.keys()));
    // Folders that were mid-round continued from their nextLink rather than starting over.
    expect(h.emulator.requests.some((r) => r.query.has('$skiptoken'))).toBe(true);
  });
});

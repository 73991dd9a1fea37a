import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '#lib/errors.ts';
import { startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.ts';
import { startTestDynamo } from '#test/support/dynalite.ts';
import { mails } from '#test/store/dynamodb/items.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sinew-dynamo-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startEmbeddedDynamo', () => {
  it('keeps a persisted store across a restart', async () => {
    const first = await startTestDynamo({ path: dir, tableName: 'sinew' });
    await first.store().putItems('u1', mails(30));
    await first.store().putReport('u1', '2026-W48', '{"ok":true}');
    await first.close();

    const again = await startTestDynamo({ path: dir, tableName: 'sinew' });
    try {
      const store = again.store();
      let count = 0;
      for await (const _ of store.queryItems('u1')) count += 1;
      expect(count).toBe(30);
      expect(await store.getReport('u1', '2026-W48')).toBe('{"ok":true}');
      expect(await store.putItems('u1', mails(30))).toEqual({ written: 0, unchanged: 30, skipped: [] });
    } finally {
      await again.close();
    }
  });

  it('keeps nothing in memory mode', async () => {
    const first = await startTestDynamo({ tableName: 'sinew' });
    await first.store().putItems('u1', mails(2));
    await first.close();
    const second = await startTestDynamo({ tableName: 'sinew' });
    try {
      let count = 0;
      for await (const _ of second.store().queryItems('u1')) count += 1;
      expect(count).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('refuses a directory another store holds open, and frees it on close', async () => {
    const first = await startEmbeddedDynamo({ path: dir });
    expect(await readFile(join(dir, 'dynamodb.lock'), 'utf8')).toBe(String(process.pid));
    const error = await startEmbeddedDynamo({ path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/in use by process \d+ \(this one\)/);
    await first.close();
    await first.close();
    const second = await startEmbeddedDynamo({ path: dir });
    await second.close();
  });

  it('takes over the lock of a process that died', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dir, 'dynamodb.lock'), String(dead));
    const store = await startEmbeddedDynamo({ path: dir });
    expect(await readFile(join(dir, 'dynamodb.lock'), 'utf8')).toBe(String(process.pid));
    await store.close();
  });

  it('keeps its directory 0700 and its files 0600, like the keys, whatever the umask', async () => {
    const previous = process.umask(0o022);
    try {
      // A data directory made earlier with the default mode is tightened too.
      await mkdir(join(dir, 'dynamodb'), { recursive: true, mode: 0o755 });
      await chmod(dir, 0o755);
      const db = await startTestDynamo({ path: dir, tableName: 'sinew' });
      await db.store().putItems('u1', mails(300));
      expect(await modeOf(dir)).toBe(0o700);
      expect(await modeOf(join(dir, 'dynamodb'))).toBe(0o700);
      expect(await modeOf(join(dir, 'dynamodb.lock'))).toBe(0o600);
      await db.close();
      const entries = await readdir(join(dir, 'dynamodb'), { recursive: true, withFileTypes: true });
      const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
      expect(files.length).toBeGreaterThan(2); // LevelDB's CURRENT, LOG, MANIFEST, tables
      for (const file of files) expect([file, await modeOf(file)]).toEqual([file, 0o600]);
      for (const sub of entries.filter((e) => e.isDirectory())) expect(await modeOf(join(sub.parentPath, sub.name))).toBe(0o700);
    } finally {
      process.umask(previous);
    }
  });
});

describe('startEmbeddedDynamo in its own thread (the CLI\'s store)', () => {
  it('keeps a persisted store across restarts with and without the thread', async () => {
    const first = await startTestDynamo({ path: dir, tableName: 'sinew', thread: true });
    expect(await first.store().putItems('u1', mails(300))).toEqual({ written: 300, unchanged: 0, skipped: [] });
    await first.close();
    expect(await modeOf(join(dir, 'dynamodb'))).toBe(0o700);

    const here = await startTestDynamo({ path: dir, tableName: 'sinew' });
    expect(await here.store().putItems('u1', mails(300))).toEqual({ written: 0, unchanged: 300, skipped: [] });
    await here.close();

    const again = await startTestDynamo({ path: dir, tableName: 'sinew', thread: true });
    try {
      expect(await again.store().putItems('u1', mails(300))).toEqual({ written: 0, unchanged: 300, skipped: [] });
    } finally {
      await again.close();
    }
  });

  it('reads back every write made through the thread: rewrites of every key, other users alongside, conditional writes', async () => {
    const db = await startTestDynamo({ thread: true });
    try {
      const store = db.store({ concurrency: 8 });
      await store.putItems('u1', mails(260));
      // Each key twice in one call (the last copy wins), while another user writes.
      const relabelled = [...mails(260, { labels: ['SENT'] }), ...mails(260, { labels: ['TRASH'] })];
      const [mine, others] = await Promise.all([store.putItems('u1', relabelled), store.putItems('u2', mails(100))]);
      expect(mine).toEqual({ written: 260, unchanged: 260, skipped: [] });
      expect(others).toEqual({ written: 100, unchanged: 0, skipped: [] });
      const labels: string[] = [];
      for await (const item of store.queryItems('u1')) labels.push(item.kind === 'mail' ? item.labels.join() : '');
      expect(labels).toEqual(Array(260).fill('TRASH'));
      // A conditional write sees the write before it.
      expect(await store.claimSend('u1', 'weekly:2026-W48', 'worker-a', new Date('2026-11-23T07:00:00Z'), 60_000)).toBe('claimed');
      expect(await store.claimSend('u1', 'weekly:2026-W48', 'worker-b', new Date('2026-11-23T07:00:01Z'), 60_000)).toBe('busy');
    } finally {
      await db.close();
    }
  });

  it('holds the directory\'s lock like the store in this thread, and frees it on close', async () => {
    const first = await startEmbeddedDynamo({ path: dir, thread: true });
    const error = await startEmbeddedDynamo({ path: dir, thread: true }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/in use by process \d+ \(this one\)/);
    await first.close();
    await first.close();
    const second = await startEmbeddedDynamo({ path: dir, thread: true });
    await second.close();
  });
});

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

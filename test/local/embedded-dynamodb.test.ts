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

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

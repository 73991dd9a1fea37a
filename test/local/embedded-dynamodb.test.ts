import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../lib/errors.ts';
import { startEmbeddedDynamo } from '../../lib/local/embedded-dynamodb.ts';
import { startTestDynamo } from '../support/dynalite.ts';
import { mails } from '../store/dynamodb/items.ts';

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
});

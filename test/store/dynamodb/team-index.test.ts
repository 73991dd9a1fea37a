import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TeamEntry } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

const entry = (sharer: string, contact: string, o: Partial<TeamEntry> = {}): TeamEntry => ({
  sharer, colleague: `${sharer}@firm.example`, colleagueName: null, contact, name: null, domain: contact.split('@')[1]!,
  tier: 'ok', lastInteraction: '2026-11-01', lastMeeting: null, active: true, ...o,
});

describe('DynamoTeamIndex', () => {
  let db: TestDynamo;
  beforeAll(async () => {
    db = await startTestDynamo();
  });
  afterAll(async () => db.close());

  const partition = async (pk: string) => {
    const doc = DynamoDBDocumentClient.from(db.client);
    return ((await doc.send(new QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }))).Items ?? [])
      .map((i) => i.sk as string)
      .filter((sk) => sk !== 'S');
  };

  it('replaces a sharer\'s entries: writes new and changed, leaves the same alone, deletes the rest', async () => {
    const store = db.store();
    expect(await store.teamIndex.replace('u1', [entry('u1', 'a@acme.example'), entry('u1', 'b@acme.example'), entry('u1', 'c@beta.example')])).toEqual({ written: 3, unchanged: 0, removed: 0 });
    expect(await store.teamIndex.replace('u1', [entry('u1', 'a@acme.example'), entry('u1', 'b@acme.example', { tier: 'strong' })])).toEqual({ written: 1, unchanged: 1, removed: 1 });
    expect(await partition('TEAM#beta.example')).toEqual([]);
    expect(await partition('TEAMBY#u1')).toEqual(['@acme.example', 'a@acme.example', 'b@acme.example']);
    expect(await store.teamIndex.summaries(['acme.example', 'beta.example'])).toEqual([
      { sharer: 'u1', colleague: 'u1@firm.example', colleagueName: null, domain: 'acme.example', tier: 'strong', activeContacts: 2, lastInteraction: '2026-11-01' },
    ]);
  });

  it('an entry that stops being active moves under I#, and list reads active entries only', async () => {
    const store = db.store();
    await store.teamIndex.replace('u2', [entry('u2', 'a@gamma.example'), entry('u2', 'b@gamma.example')]);
    await store.teamIndex.replace('u2', [entry('u2', 'a@gamma.example', { active: false }), entry('u2', 'b@gamma.example')]);
    expect(await partition('TEAM#gamma.example')).toEqual(['A#b@gamma.example#u2', 'I#a@gamma.example#u2']);
    expect((await store.teamIndex.list(['gamma.example'])).map((e) => [e.sharer, e.contact, e.active])).toEqual([['u2', 'b@gamma.example', true]]);
    expect(await store.teamIndex.remove('u2')).toBe(2);
    expect(await partition('TEAM#gamma.example')).toEqual([]);
    expect(await partition('TEAMBY#u2')).toEqual([]);
    expect(await store.teamIndex.summaries(['gamma.example'])).toEqual([]);
  });

  it('refuses an entry of another sharer, or with a bad tier or day', async () => {
    const store = db.store();
    await expect(store.teamIndex.replace('u3', [entry('u4', 'a@acme.example')])).rejects.toThrow(/not the writer/);
    await expect(store.teamIndex.replace('u3', [entry('u3', 'a@acme.example', { tier: 'great' as never })])).rejects.toThrow(/tier/);
    await expect(store.teamIndex.replace('u3', [entry('u3', 'a@acme.example', { lastInteraction: '2026-11-01T10:00:00Z' })])).rejects.toThrow(/YYYY-MM-DD/);
  });
});

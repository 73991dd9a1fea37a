import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedbackAt } from '#lib/health/feedback.ts';
import { applyLinkAction, type LinkOutcome } from '#lib/links/actions.ts';
import { signLink, verifyLink, type LinkAction } from '#lib/links/token.ts';
import { DEMO_AS_OF, DEMO_TIME_ZONE, writeDemoFiles } from '#lib/local/demo/index.ts';
import { importFiles } from '#lib/sync/import-files.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { planActions } from '#lib/report/actions.ts';
import type { ReportJson } from '#lib/report/types.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { Item } from '#lib/items/types.ts';
import type { Store } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

/**
 * Issue 6, "feedback changes the next report": the demo mailbox in a real (dynalite)
 * store, a link answered, the report rebuilt. Addresses are the demo's flagged contacts.
 */
const SECRET = Buffer.alloc(32, 3);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AS_OF = DEMO_AS_OF.getTime();
/** Owes a reply (and has had no meeting): flagged twice. */
const JDOE = 'jdoe@gmail.com';
/** Awaiting two or more replies, no face time. */
const HANNAH = 'hannah.cole@lumenretail.com';
/** Fading: usual gap 3 days, silent since 25 Sep. */
const OLIVER = 'oliver.grant@brightwatercap.com';

let db: TestDynamo;
let store: DynamoStore;
let userId: string;
let baseline: ReportJson;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  const dir = await mkdtemp(join(tmpdir(), 'sinew-links-demo-'));
  try {
    const demo = await writeDemoFiles(dir);
    ({ userId } = await importFiles(store, {
      mbox: [demo.mboxPath], ics: [demo.icsPath], me: demo.me, internalDomains: [], timeZone: DEMO_TIME_ZONE,
      now: DEMO_AS_OF,
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  baseline = await report(AS_OF);
}, 30_000);
afterAll(async () => db.close());

let items: Item[] | undefined;

/**
 * The user's report at `asOf`. The synced items never change here, so they are read from
 * dynalite once and replayed; feedback and the profile are read from the store every time.
 */
async function report(asOf: number): Promise<ReportJson> {
  if (!items) {
    items = [];
    for await (const item of store.queryItems(userId)) items.push(item);
  }
  const replay: Store = new Proxy(store, {
    get(target, key) {
      if (key === 'queryItems') return async function* () { yield* items!; };
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return (await buildUserReport(replay, userId, { asOf: new Date(asOf), settings: defaultSettings })).json;
}

/** Every address a flag names, and every address the email's actions name. */
function flagged(json: ReportJson): { flags: Set<string>; actions: Set<string> } {
  const flags = new Set([...json.fading, ...json.owedReplies, ...json.awaitingReply, ...json.noFaceTime].map((f) => f.address));
  const actions = new Set(planActions(json, { limit: 1000 }).actions.flatMap((a) => a.contacts.map((c) => c.address)));
  return { flags, actions };
}

/** Signs a link as the email would, verifies it as the handler does, and applies it at `at`. */
async function answer(action: LinkAction, contact: string, at: number, days?: number): Promise<LinkOutcome> {
  const token = signLink(SECRET, { action, userId, contact, ...(days === undefined ? {} : { days }) }, { now: at - DAY });
  return applyLinkAction(verifyLink(SECRET, token, at), { store, now: () => new Date(at) });
}

describe('feedback changes the next report', () => {
  it('starts from a report that flags the demo contacts used below', () => {
    const { flags, actions } = flagged(baseline);
    for (const c of [JDOE, HANNAH, OLIVER]) expect(flags).toContain(c);
    expect(actions).toContain(JDOE);
    expect(baseline.owedReplies.map((f) => f.address)).toContain(JDOE);
  });

  it('mute removes the contact from every flag and action; undo brings the report back exactly', async () => {
    await answer('mute', JDOE, AS_OF - 2 * HOUR);
    const muted = await report(AS_OF);
    expect(flagged(muted).flags).not.toContain(JDOE);
    expect(flagged(muted).actions).not.toContain(JDOE);
    // Muted is not forgotten: the contact still counts in the picture.
    expect(muted.contacts.map((c) => c.address)).toContain(JDOE);
    expect(muted.contacts).toStrictEqual(baseline.contacts);

    await answer('undo', JDOE, AS_OF - HOUR);
    const undone = await report(AS_OF);
    expect(flagged(undone).actions).toContain(JDOE);
    expect(undone).toStrictEqual(baseline);
  });

  it('a report made before the answer was given does not see it (a replayed week stays the same)', async () => {
    await answer('mute', JDOE, AS_OF + HOUR);
    expect(await report(AS_OF)).toStrictEqual(baseline);
    expect(flagged(await report(AS_OF + 2 * HOUR)).flags).not.toContain(JDOE);
    await answer('undo', JDOE, AS_OF + 3 * HOUR);
    expect(flagged(await report(AS_OF + 4 * HOUR)).flags).toContain(JDOE);
  });

  it('snooze hides the contact until the snooze ends, then the flags return', async () => {
    const outcome = await answer('snooze', HANNAH, AS_OF - 2 * DAY, 7);
    const until = AS_OF + 5 * DAY;
    expect(outcome).toMatchObject({ action: 'snooze', until: new Date(until).toISOString() });
    expect(flagged(await report(AS_OF)).flags).not.toContain(HANNAH);
    expect(flagged(await report(until - HOUR)).flags).not.toContain(HANNAH);
    const after = await report(until);
    expect(flagged(after).flags).toContain(HANNAH);
    expect(after.noFaceTime.map((f) => f.address)).toContain(HANNAH);
    // Once over, a snooze has nothing left to undo; while in force, undo ends it at once.
    expect((await answer('undo', HANNAH, until + HOUR)).changed).toBe(false);
    expect((await answer('undo', HANNAH, until - 2 * HOUR)).changed).toBe(true);
    expect(flagged(await report(until - HOUR)).flags).toContain(HANNAH);
    expect(await report(AS_OF)).toStrictEqual(baseline);
  });

  it('"this is fine" judges fading against a longer silence (3 x cadence, at least 42 days) without hiding the contact', async () => {
    const oliver = baseline.fading.find((f) => f.address === OLIVER)!;
    expect(oliver).toMatchObject({ cadenceDays: 3, silenceDays: 58 });
    // Five weeks after the last contact: fading by the usual rule (over 21 days)...
    const fiveWeeks = Date.parse(oliver.lastInteraction) + 35 * DAY;
    expect((await report(fiveWeeks)).fading.map((f) => f.address)).toContain(OLIVER);
    await answer('fine', OLIVER, fiveWeeks - DAY);
    // ...but not after "this is fine" (35 <= 42 days)...
    const fine = await report(fiveWeeks);
    expect(fine.fading.map((f) => f.address)).not.toContain(OLIVER);
    // ...and fading again once the silence passes the longer threshold: fine is not mute.
    const later = await report(AS_OF);
    expect(later.fading.find((f) => f.address === OLIVER)).toStrictEqual(oliver);
    expect(later).toStrictEqual(baseline);
    await answer('undo', OLIVER, AS_OF + HOUR);
    expect((await report(fiveWeeks + 2 * HOUR)).fading.map((f) => f.address)).toContain(OLIVER);
  });
});

describe('health reads an undo as no answer', () => {
  const at = (ms: number) => new Date(ms).toISOString();
  it('while the undo is the latest answer, and only from when it was given', () => {
    const feedback = [
      { contact: JDOE, action: 'mute' as const, at: at(AS_OF - 2 * DAY) },
      { contact: JDOE, action: 'undo' as const, at: at(AS_OF - DAY) },
      { contact: HANNAH, action: 'fine' as const, at: at(AS_OF - 2 * DAY) },
      { contact: HANNAH, action: 'undo' as const, at: at(AS_OF - DAY) },
    ];
    expect(feedbackAt(feedback, AS_OF)).toStrictEqual({ silenced: new Set(), fine: new Set() });
    expect(feedbackAt(feedback, AS_OF - 1.5 * DAY)).toStrictEqual({ silenced: new Set([JDOE]), fine: new Set([HANNAH]) });
    const remuted = [...feedback, { contact: JDOE, action: 'mute' as const, at: at(AS_OF - HOUR) }];
    expect(feedbackAt(remuted, AS_OF).silenced).toStrictEqual(new Set([JDOE]));
  });
});

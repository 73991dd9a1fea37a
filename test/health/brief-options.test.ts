import { describe, expect, it } from 'vitest';
import { computeHealth } from '#lib/health/index.ts';
import { defaultSettings } from '#lib/settings.ts';
import { AS_OF, HOUR, ago, extractionOf, healthOf, received, sent } from './build.ts';

/** The two knobs the meeting brief turns (DESIGN section 9); the weekly report leaves them alone. */

const ann = 'ann@acme.example';
const iso = (ms: number) => new Date(ms).toISOString();

describe('owedFloorHours', () => {
  const history = [sent(ann, ago(30)), received(ann, AS_OF.getTime() - 3 * HOUR), received(ann, ago(5))];

  it('keeps the 48-hour floor by default', () => {
    expect(healthOf(history).owedReplies.map((o) => o.receivedAt)).toEqual([iso(ago(5))]);
  });

  it('at 0 owes a message received 3 hours before asOf, keeping the 14-day bound', () => {
    const r = computeHealth(extractionOf([...history, received(ann, ago(15))]), { asOf: AS_OF, settings: defaultSettings, owedFloorHours: 0 });
    expect(r.owedReplies.map((o) => o.receivedAt)).toEqual([iso(ago(5)), iso(AS_OF.getTime() - 3 * HOUR)]);
  });
});

describe('include', () => {
  const silent = 'old@silent.example';
  const interactions = [sent(silent, ago(200)), received(silent, ago(199)), sent(ann, ago(3)), received(ann, ago(2))];

  it('lists a contact silent in the window only when named, and never counts it as an active account line', () => {
    const plain = computeHealth(extractionOf(interactions), { asOf: AS_OF, settings: defaultSettings });
    const named = computeHealth(extractionOf(interactions), { asOf: AS_OF, settings: defaultSettings, include: new Set([silent]) });
    expect(plain.contacts.map((c) => c.address)).toEqual([ann]);
    const row = named.contacts.find((c) => c.address === silent)!;
    expect(row).toMatchObject({ sent: 0, received: 0, meetings: 0, firstInteraction: iso(ago(200)), lastInteraction: iso(ago(199)) });
    expect(row.health).toBeGreaterThanOrEqual(0);
    expect(named.accounts).toEqual(plain.accounts);
    expect(named.contacts.find((c) => c.address === ann)).toEqual(plain.contacts[0]);
  });
});

import { describe, expect, it } from 'vitest';
import { automatedReason, canonicalLocalPart, isBroadcast, recipientCount } from '#lib/interactions/classify.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import { ME, mail, options } from './builders.ts';

describe('automatedReason', () => {
  it.each([
    [['list-id'], 'header:list-id'],
    [['list-unsubscribe'], 'header:list-unsubscribe'],
    [['precedence:bulk'], 'header:precedence:bulk'],
    [['precedence:list'], 'header:precedence:list'],
    [['Precedence: JUNK'], 'header:precedence:junk'],
    [['auto-submitted:auto-generated'], 'header:auto-submitted:auto-generated'],
    [['auto-submitted:auto-replied'], 'header:auto-submitted:auto-replied'],
    [['auto-submitted:'], 'header:auto-submitted:'],
  ])('header signals %j are automated', (bulkSignals, reason) => {
    expect(automatedReason(mail({ bulkSignals }))).toBe(reason);
  });

  it('does not flag Auto-Submitted: no or an unknown precedence', () => {
    expect(automatedReason(mail({ bulkSignals: ['auto-submitted:no'] }))).toBeNull();
    expect(automatedReason(mail({ bulkSignals: ['precedence:first-class'] }))).toBeNull();
    expect(automatedReason(mail())).toBeNull();
  });

  it.each([
    'noreply@x.com', 'no-reply@x.com', 'no_reply@x.com', 'no.reply@x.com', 'noreply+abc@x.com',
    'noreply-dmarc-support@google.com', 'donotreply@x.com', 'do-not-reply@x.com', 'do_not_reply@x.com',
    'notifications@github.com', 'notification@x.com', 'mailer-daemon@x.com', 'mailer_daemon@x.com',
    'postmaster@x.com', 'bounce@x.com', 'bounces@x.com', 'bounces+123@x.com',
  ])('sender %s is a machine', (from) => {
    expect(automatedReason(mail({ from }))).toMatch(/^sender:/);
  });

  it.each(['notifications.team.lead@x.com', 'ann.bounce@x.com', 'postmasters-guild@x.com', 'reply@x.com', 'mailer@x.com'])(
    'sender %s is not a listed machine name (whole local part only)',
    (from) => {
      expect(automatedReason(mail({ from }))).toBeNull();
    },
  );

  it('canonicalizes separators and tags', () => {
    expect(canonicalLocalPart('do-not_re.ply+tag@x.com')).toBe('donotreply');
  });

  it.each(['SPAM', 'DRAFT', 'CATEGORY_PROMOTIONS', 'CATEGORY_SOCIAL', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS', 'folder:junkemail', 'folder:drafts', 'inference:other'])(
    'label %s is automated',
    (label) => {
      expect(automatedReason(mail({ labels: ['INBOX', label] }))).toBe(`label:${label}`);
    },
  );

  it('does not flag ordinary labels, trash or Focused', () => {
    expect(automatedReason(mail({ labels: ['INBOX', 'IMPORTANT', 'CATEGORY_PERSONAL', 'TRASH', 'folder:inbox', 'folder:deleteditems'] }))).toBeNull();
  });

  it('excludes automated mail from the interactions and counts it', () => {
    const items = [mail({ bulkSignals: ['list-id'] }), mail({ from: 'no-reply@partner.io' }), mail({ labels: ['SPAM'] }), mail()];
    const x = extractInteractions(items, options());
    expect(x.interactions).toHaveLength(1);
    expect(x.excluded).toEqual({ automated: 3, broadcast: 0, internal: 0, duplicates: 0 });
  });

  it('excludes my own drafts (never sent)', () => {
    const x = extractInteractions([mail({ from: ME, to: ['ann@partner.io'], labels: ['DRAFT'] })], options());
    expect(x.interactions).toEqual([]);
    expect(x.excluded.automated).toBe(1);
  });
});

describe('broadcast', () => {
  const people = (n: number, domain = 'partner.io'): string[] => Array.from({ length: n }, (_, i) => `p${i}@${domain}`);

  it('counts To and Cc, Bcc only on sent mail, each address once', () => {
    const m = mail({ to: [ME, 'a@x.io', 'a@x.io'], cc: ['b@x.io'], bcc: ['c@x.io', 'd@x.io'] });
    expect(recipientCount(m, false)).toBe(3);
    expect(recipientCount(m, true)).toBe(5);
  });

  it('keeps a message at exactly maxRecipients and drops one more', () => {
    expect(isBroadcast(mail({ to: people(6), cc: people(4, 'other.io') }), false, 10)).toBe(false);
    expect(isBroadcast(mail({ to: people(6), cc: people(5, 'other.io') }), false, 10)).toBe(true);
  });

  it('inbound: To+Cc of 10 with Me counts, 11 is broadcast; Bcc never counts on received mail', () => {
    const ok = mail({ to: [ME, ...people(9)], bcc: people(5, 'bcc.io') });
    const tooMany = mail({ to: [ME, ...people(10)] });
    const x = extractInteractions([ok, tooMany], options());
    expect(x.interactions.map((i) => i.itemKey)).toEqual([`acct:${ok.providerId}`]);
    expect(x.excluded.broadcast).toBe(1);
  });

  it('outbound: Bcc counts, so 9 To + 1 Bcc is fine and 9 To + 2 Bcc is broadcast', () => {
    const ok = mail({ from: ME, to: people(9), bcc: ['z1@b.io'] });
    const tooMany = mail({ from: ME, to: people(9), bcc: ['z1@b.io', 'z2@b.io'] });
    const x = extractInteractions([ok, tooMany], options());
    expect(x.interactions).toHaveLength(10);
    expect(new Set(x.interactions.map((i) => i.itemKey))).toEqual(new Set([`acct:${ok.providerId}`]));
    expect(x.excluded.broadcast).toBe(1);
  });

  it('follows the maxRecipients setting', () => {
    const m = mail({ to: [ME, 'a@x.io', 'b@x.io'] });
    expect(extractInteractions([m], options({ settings: { maxRecipients: 2 } })).excluded.broadcast).toBe(1);
    expect(extractInteractions([m], options({ settings: { maxRecipients: 3 } })).interactions).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import {
  domainOf, localPartOf, messageIdsIn, normalizeAddress, normalizeMessageId, shortHash, subjectHash,
} from '#lib/items/normalize.ts';

describe('normalizeAddress', () => {
  it('trims, drops the display name and lower-cases', () => {
    expect(normalizeAddress('  "Lee, Ann" <Ann.Lee@Acme.COM> ')).toBe('ann.lee@acme.com');
    expect(normalizeAddress('Ann Lee <ann@acme.com>')).toBe('ann@acme.com');
    expect(normalizeAddress('mailto:Bob@Acme.com')).toBe('bob@acme.com');
  });

  it('keeps dots and plus tags outside gmail', () => {
    expect(normalizeAddress('ann.lee+news@acme.com')).toBe('ann.lee+news@acme.com');
    expect(normalizeAddress('k..allen@enron.com')).toBe('k..allen@enron.com');
  });

  it('collapses gmail dot and plus aliases, and googlemail, to one address', () => {
    const forms = ['ann.lee@gmail.com', 'AnnLee@gmail.com', 'a.n.n.lee+work@gmail.com', 'ann.lee@googlemail.com', 'Ann <annlee+x+y@GoogleMail.com>'];
    expect(new Set(forms.map(normalizeAddress))).toEqual(new Set(['annlee@gmail.com']));
  });

  it('answers null where there is no local@domain', () => {
    for (const raw of [null, undefined, '', '   ', 'Ann Lee', '@acme.com', 'ann@', 'ann lee@acme.com', '+tag@gmail.com']) {
      expect(normalizeAddress(raw)).toBeNull();
    }
  });

  it('splits domain and local part', () => {
    expect(domainOf('ann@mail.acme.com')).toBe('mail.acme.com');
    expect(localPartOf('ann@mail.acme.com')).toBe('ann');
  });
});

describe('message ids', () => {
  it('strips angle brackets and lower-cases', () => {
    expect(normalizeMessageId(' <ABC.123@Mail.Example.com> ')).toBe('abc.123@mail.example.com');
    expect(normalizeMessageId('abc@x')).toBe('abc@x');
    expect(normalizeMessageId('')).toBeNull();
    expect(normalizeMessageId('not an id')).toBeNull();
  });

  it('lists every id of In-Reply-To and References once', () => {
    expect(messageIdsIn('<A@x> <b@y>\r\n <a@X>')).toEqual(['a@x', 'b@y']);
    expect(messageIdsIn(undefined)).toEqual([]);
  });
});

describe('subjectHash', () => {
  it('ignores Re:/Fwd: chains, case and whitespace', () => {
    const h = subjectHash('Quarterly plan');
    expect(h).toMatch(/^[0-9a-f]{32}$/);
    for (const s of ['Re: Quarterly plan', 'RE: re: FW: Quarterly plan', 'Fwd:  Re:Quarterly   plan ', 'AW: quarterly PLAN', 'Re[2]: Quarterly plan']) {
      expect(subjectHash(s)).toBe(h);
    }
  });

  it('tells different subjects apart and has no hash for an empty one', () => {
    expect(subjectHash('Quarterly plan')).not.toBe(subjectHash('Quarterly plans'));
    expect(subjectHash('')).toBeNull();
    expect(subjectHash('Re: ')).toBeNull();
    expect(subjectHash(null)).toBeNull();
  });

  it('is stable across runs (a persisted key)', () => {
    expect(shortHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223');
  });
});

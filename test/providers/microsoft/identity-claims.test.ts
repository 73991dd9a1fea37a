import { describe, expect, it } from 'vitest';
import { ConsentError } from '#lib/connect/errors.ts';
import { MICROSOFT_PERSONAL_TENANT, microsoftIdentity } from '#lib/providers/microsoft/oauth.ts';

/**
 * Which ID token claims Sinew trusts for a Microsoft account: keyed on tid/oid, an address
 * only as Microsoft vouches for it (xms_edov for work accounts; a personal account's own).
 */
const TID = '3f5c2b1a-7d6e-4c8b-9a0f-1e2d3c4b5a69';
const OID = '00000000-1111-4222-8333-444444444444';

function refusal(claims: Record<string, unknown>): string {
  try {
    microsoftIdentity(claims);
  } catch (err) {
    expect(err).toBeInstanceOf(ConsentError);
    expect((err as ConsentError).reason).toBe('identity');
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('microsoftIdentity', () => {
  it('keys a work account on tid/oid and takes its email only with xms_edov true', () => {
    expect(microsoftIdentity({ tid: TID, oid: OID, email: 'ann@contoso.example', xms_edov: true, preferred_username: 'ann@contoso.example' })).toEqual({
      email: 'ann@contoso.example',
      subject: `${TID}/${OID}`,
    });
    // Spelled as a string or a number by some token versions.
    for (const edov of ['true', '1', 1]) expect(microsoftIdentity({ tid: TID, oid: OID, email: 'a@b.example', xms_edov: edov }).email).toBe('a@b.example');
    // GUIDs compare case-insensitively: the subject is lower-case.
    expect(microsoftIdentity({ tid: TID.toUpperCase(), oid: OID, email: 'a@b.example', xms_edov: true }).subject).toBe(`${TID}/${OID}`);
  });

  it('refuses a work account whose email is unverified, absent, or whose ids are missing', () => {
    expect(refusal({ tid: TID, oid: OID, email: 'ceo@acme.example', xms_edov: false })).toMatch(/xms_edov is false/);
    expect(refusal({ tid: TID, oid: OID, email: 'ceo@acme.example' })).toMatch(/no xms_edov claim.*optional claim "xms_edov"/);
    // The UPN is mutable and not necessarily a mailbox: never the address of a work account.
    expect(refusal({ tid: TID, oid: OID, preferred_username: 'ann@contoso.example', xms_edov: true })).toMatch(/sent no email address.*optional claims "email" and "xms_edov"/);
    expect(refusal({ oid: OID, email: 'a@b.example', xms_edov: true })).toMatch(/tenant and object ids \(tid, oid\)/);
    expect(refusal({ tid: TID, oid: 'not-a-guid', email: 'a@b.example', xms_edov: true })).toMatch(/tid, oid/);
  });

  it("takes a personal account's own address: its email, else its sign-in name; never a phone number", () => {
    const personal = { tid: MICROSOFT_PERSONAL_TENANT, oid: OID };
    expect(microsoftIdentity({ ...personal, email: 'pat@outlook.example' }).email).toBe('pat@outlook.example');
    expect(microsoftIdentity({ ...personal, preferred_username: 'pat@hotmail.example' })).toEqual({ email: 'pat@hotmail.example', subject: `${MICROSOFT_PERSONAL_TENANT}/${OID}` });
    expect(refusal({ ...personal, preferred_username: '+33612345678' })).toMatch(/personal account/);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { parseSinewConfig } from '#infra/config.ts';
import type { SinewFunction } from '#infra/constructs/function.ts';
import { TEAM_LEADING_KEYS } from '#infra/constructs/data.ts';
import type { SinewStack } from '#infra/sinew-stack.ts';
import { ConfigError } from '#lib/errors.ts';
import { actionsOf, logicalId, resourcesOf, statementsOfRole, synthSinew, type Statement } from './synth.ts';

/**
 * The team view in the stack (DESIGN section 10, issue 13): CDK context `team` (off by
 * default, `on` to turn it on; anything else stops synthesis naming the key) reaches the
 * report worker, the links function and the brief worker as SINEW_TEAM; the table is shared,
 * so every function but the report worker is denied the index's partitions
 * (`dynamodb:LeadingKeys` TEAM#*, TEAMBY#*): entirely, except the links function, which reads
 * and removes (no put, no update), and with the team view on the brief worker, which may only
 * Query (the attendees' colleagues). cdk-nag AwsSolutions stays clean with the team view on.
 */

let on: { stack: SinewStack; template: Template };
let off: { stack: SinewStack; template: Template };

beforeAll(() => {
  on = synthSinew({ nag: true, context: { team: 'on' } });
  off = synthSinew({ context: {} });
}, 120_000);

const fns = (stack: SinewStack): Record<string, SinewFunction> => ({
  connect: stack.connect.connect,
  links: stack.connect.links,
  'sync-dispatcher': stack.sync.dispatcher,
  'sync-worker': stack.sync.worker,
  'report-dispatcher': stack.report.dispatcher,
  'report-worker': stack.report.worker,
  'ses-events': stack.report.sesEvents,
  'brief-dispatcher': stack.brief.dispatcher,
  'brief-worker': stack.brief.worker,
});
const envOf = ({ stack, template }: typeof on, fn: SinewFunction): Record<string, unknown> =>
  ((resourcesOf(template, 'AWS::Lambda::Function')[logicalId(fn.fn, stack)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables);
/** The Deny statements of a function's role that name the team index's partitions. */
const teamDenies = ({ stack, template }: typeof on, fn: SinewFunction): Statement[] =>
  statementsOfRole(template, logicalId(fn.role, stack)).filter(
    (st) => st.Effect === 'Deny' && JSON.stringify(st.Condition) === JSON.stringify({ 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['TEAM#*', 'TEAMBY#*'] } }),
  );
const denied = (w: typeof on, fn: SinewFunction): string[] => teamDenies(w, fn).flatMap(actionsOf).sort();

describe('CDK context team', () => {
  it('is off unless set to on; true/false from cdk.json; anything else names the key', () => {
    const base = { senderAddress: 'reports@acme.test', allowedDomains: 'acme.test' };
    expect(parseSinewConfig(base).team).toBe(false);
    expect(parseSinewConfig({ ...base, team: 'on' }).team).toBe(true);
    expect(parseSinewConfig({ ...base, team: ' ON ' }).team).toBe(true);
    expect(parseSinewConfig({ ...base, team: 'off' }).team).toBe(false);
    expect(parseSinewConfig({ ...base, team: true }).team).toBe(true);
    expect(parseSinewConfig({ ...base, team: '' }).team).toBe(false);
    expect(() => parseSinewConfig({ ...base, team: 'yes' })).toThrow(ConfigError);
    expect(() => parseSinewConfig({ ...base, team: 'yes' })).toThrow(/CDK context "team": expected on or off.*got "yes"/);
  });

  it('reaches the report worker, the links function and the brief worker as SINEW_TEAM=on, and no other function; nothing when off', () => {
    for (const [name, fn] of Object.entries(fns(on.stack))) {
      expect(envOf(on, fn).SINEW_TEAM, name).toBe(['report-worker', 'links', 'brief-worker'].includes(name) ? 'on' : undefined);
    }
    for (const [name, fn] of Object.entries(fns(off.stack))) expect(envOf(off, fn).SINEW_TEAM, name).toBeUndefined();
  });
});

describe('who may touch the team index (one shared table)', () => {
  it('only the report worker may write it: every other function is denied puts on TEAM#* and TEAMBY#* (all but the links function, updates too)', () => {
    expect(TEAM_LEADING_KEYS).toEqual(['TEAM#*', 'TEAMBY#*']);
    for (const w of [on, off]) {
      for (const [name, fn] of Object.entries(fns(w.stack))) {
        if (name === 'report-worker') expect(teamDenies(w, fn), name).toEqual([]);
        else expect(denied(w, fn), name).toEqual(expect.arrayContaining(name === 'links' ? ['dynamodb:PutItem'] : ['dynamodb:PutItem', 'dynamodb:UpdateItem']));
      }
    }
  });

  it('only the report worker, the links function and (team on) the brief worker may read it; the links function may query, batch-delete and update (its REMOVE of a summary key), never put; the brief worker may only query', () => {
    const everything = ['BatchGetItem', 'BatchWriteItem', 'ConditionCheckItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem'].map((a) => `dynamodb:${a}`);
    for (const [name, fn] of Object.entries(fns(on.stack))) {
      if (name === 'report-worker') continue;
      if (name === 'links') expect(denied(on, fn), name).toEqual(['dynamodb:PutItem']);
      else if (name === 'brief-worker') expect(denied(on, fn), name).toEqual(everything.filter((a) => a !== 'dynamodb:Query'));
      else expect(denied(on, fn), name).toEqual(everything);
    }
    // With the team view off the brief worker reads nothing of the index.
    expect(denied(off, off.stack.brief.worker)).toEqual(everything);
    // The denies cover the table and its index, so no Query through gsi1 reaches the index either.
    const [deny] = teamDenies(on, on.stack.connect.links);
    expect(JSON.stringify(deny!.Resource)).toContain('/index/');
  });

  it('the links function keeps its own grants on the table (the index is reached through them, then narrowed)', () => {
    const allows = statementsOfRole(on.template, logicalId(on.stack.connect.links.role, on.stack)).filter((st) => st.Effect === 'Allow').flatMap(actionsOf);
    expect(allows).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:BatchWriteItem']));
  });
});

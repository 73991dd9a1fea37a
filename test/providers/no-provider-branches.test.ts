import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/bundling.ts';
import { providerBranches, providerBranchesIn, sourceFiles } from '#test/support/provider-branches.ts';

/**
 * What a provider is and does is said once, in lib/providers/ (registry.ts and each
 * provider's folder): the CLI, the pages, the handlers, the report and the links ask the
 * registry. A branch on a provider's name anywhere else fails here, naming the file and line.
 */
describe('no branch on a provider\'s name outside lib/providers/', () => {
  it('finds none in lib/ and functions/', () => {
    const files = [...sourceFiles(PROJECT_ROOT, 'lib', ['lib/providers']), ...sourceFiles(PROJECT_ROOT, 'functions')];
    expect(files.length).toBeGreaterThan(100);
    expect(providerBranchesIn(PROJECT_ROOT, files)).toStrictEqual([]);
  });

  it('would find each kind of branch (the check itself is tested on planted code)', () => {
    const planted = [
      "if (account.provider === 'google') return;",
      'const name = "microsoft" !== kind ? a : b;',
      "  case 'files':",
      "const cli = provider === 'gmail' ? 'gmail' : 'microsoft';",
      "const id = /^(google|microsoft)-/.exec(accountId);",
      "if (p == 'microsoft') return;",
    ];
    expect(planted.map((line) => providerBranches(line).length)).toStrictEqual([1, 1, 1, 1, 1, 1]);
    // Names as data, in a table or a message, are not branches.
    const data = ["const label = { google: 'Google' };", "out(`run sinew connect ${p.cliName}`);", "const p = connectedProvider('google');"];
    expect(data.flatMap(providerBranches)).toStrictEqual([]);
  });
});

/**
 * The dependency rules of the tree (STYLE.md, "The shape of the house"): arrows point down
 * the flow, so no folder imports one that imports it back, directly or through others.
 * Run by `npm run lint` (`npm run lint:deps` alone).
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment:
        'This folder imports a folder that imports it back, directly or through others. Where two ' +
        'stages both need a piece, it belongs lower (as lib/items/ and lib/time/ do), not in either of them.',
      scope: 'folder',
      from: { path: '^(lib|functions)/' },
      to: { circular: true },
    },
    {
      name: 'no-file-cycle',
      severity: 'error',
      comment: 'Two modules import each other, directly or through others.',
      from: { path: '^(lib|functions)/' },
      to: { circular: true },
    },
    {
      name: 'lib-below-its-adapters',
      severity: 'error',
      comment: 'lib/ is the product: it never imports the Lambda handlers, the CDK app, tests or benches.',
      from: { path: '^lib/' },
      to: { path: '^(functions|infra|test|bench|bin)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file (a typo, or a file that moved).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|out|\\.sinew)/' },
    // A type-only import is a dependency too: a folder that needs another's types sits above it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve the package's subpath imports (#lib/...) and node: built-ins as Node does.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'], mainFields: ['module', 'main', 'types'] },
  },
};

#!/usr/bin/env node
// The `sinew` CLI. Runs from a clean checkout after `npm ci` with no build step: tsx
// compiles the TypeScript sources on the fly.
import { register } from 'tsx/esm/api';

// The development machines run Node 20; Lambda runs Node 22+. The AWS SDK's notice about
// Node 20 support ending says nothing actionable to a CLI user, so it is silenced here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('#lib/cli/main.ts');
process.exitCode = await main(process.argv);

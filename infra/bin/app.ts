import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '#lib/errors.ts';
import { SinewStack } from '#infra/sinew-stack.ts';

/** The CDK app: one stack, checked by cdk-nag's AwsSolutions rules at synth time. */
const app = new App();
try {
  new SinewStack(app, 'Sinew', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  // A bad context value is the admin's to fix: say which, without a stack trace.
  if (error instanceof ConfigError) {
    console.error(`Sinew: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SinewStack } from '../sinew-stack.ts';

/** The CDK app: one stack, checked by cdk-nag's AwsSolutions rules at synth time. */
const app = new App();
new SinewStack(app, 'Sinew', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

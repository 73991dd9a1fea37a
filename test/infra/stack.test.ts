import { describe, expect, it } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SinewStack } from '../../infra/sinew-stack.ts';

/** Synthesizes an app with cdk-nag's AwsSolutions checks, as infra/bin/app.ts does. */
function synthWithNag(build: (app: App) => Stack): Template {
  const app = new App({ outdir: undefined });
  const stack = build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return Template.fromStack(stack);
}

describe('SinewStack', () => {
  it('synthesizes with no unsuppressed cdk-nag AwsSolutions finding', () => {
    const template = synthWithNag((app) => new SinewStack(app, 'Sinew'));
    expect(template.toJSON()).toBeTypeOf('object');
  });

  it('fails synthesis when a resource breaks an AwsSolutions rule (cdk-nag errors fail the tests)', () => {
    expect(() =>
      synthWithNag((app) => {
        const stack = new Stack(app, 'Bad');
        new Queue(stack, 'Unencrypted'); // AwsSolutions-SQS3 (no DLQ) and SQS4 (no SSL enforcement)
        return stack;
      }),
    ).toThrow(/AwsSolutions-SQS/);
  });
});

import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The whole Sinew service in one stack, reading like DESIGN section 1: data, connect,
 * sync, report, observability. The pipeline runs locally today (`sinew demo`); the AWS
 * constructs arrive with the deployment issue, so the stack is empty for now.
 */
export class SinewStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
  }
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal, type IGrantable, type IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionEntry, lambdaBundling, PROJECT_ROOT, type FunctionName } from '#infra/bundling.ts';
import { join } from 'node:path';

/** The newest Node.js runtime the installed aws-cdk-lib offers (cdk-nag AwsSolutions-L1). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

export interface SinewFunctionProps {
  /** Which file of functions/ this is. */
  readonly name: FunctionName;
  /** What the function does, for the console. */
  readonly description: string;
  /**
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * MB of memory (CPU scales with it).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * The function's variables, named as functions/shared/env.ts declares them.
   * @default - only the Powertools and Node.js variables every function gets
   */
  readonly environment?: Record<string, string>;
  /**
   * Reserved concurrency: a ceiling (and a floor) on parallel executions.
   * @default - none (the account's unreserved pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How long its logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * One Lambda of functions/ with the house defaults: arm64, the newest Node.js runtime,
 * the shared esbuild bundle (infra/bundling.ts), an explicit log group with retention,
 * active X-Ray tracing, Powertools service name per function, source maps on, and a role
 * of its own that starts with nothing but writing its own logs (no AWS managed policy):
 * every other permission is granted by the stack, function by function.
 */
export class SinewFunction extends Construct implements IGrantable {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly grantPrincipal: IPrincipal;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: SinewFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.seconds(30);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Operational logs, not records: they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Sinew ${props.name} function`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.grantPrincipal = this.role;

    this.fn = new NodejsFunction(this, 'Function', {
      entry: functionEntry(props.name),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: this.timeout,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      bundling: lambdaBundling(),
      // SDK v3 keeps connections alive by itself; the variable would be v2 noise.
      awsSdkConnectionReuse: false,
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: `sinew-${props.name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Sinew',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    // Active tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to this role.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; the only "*" resource in this role is that tracing statement (asserted in test/infra).',
    });
  }
}

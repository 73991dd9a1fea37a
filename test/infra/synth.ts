import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SinewStack } from '#infra/sinew-stack.ts';

/** Context every test starts from (cdk.json's example values, the sign-up choice cdk.json leaves to the admin, bundling skipped). */
export const BASE_CONTEXT: Record<string, unknown> = {
  senderAddress: 'reports@example.com',
  allowedDomains: 'example.com',
  // No stack is bundled: NodejsFunction stages a placeholder, so synthesis takes seconds.
  'aws:cdk:bundling-stacks': [],
};

export interface SynthOptions {
  context?: Record<string, unknown>;
  /** Apply cdk-nag's AwsSolutions checks (errors fail synthesis). */
  nag?: boolean;
  /** CDK's built-in CloudFormation rules (slow: a WASM engine), as errors. */
  cfnValidation?: boolean;
  outdir?: string;
}

/** Builds the Sinew stack in a fresh app and synthesizes it. */
export function synthSinew(options: SynthOptions = {}): { app: App; stack: SinewStack; template: Template } {
  const cfnValidation = options.cfnValidation ?? false;
  const app = new App({
    builtinCloudFormationValidation: cfnValidation,
    context: {
      ...BASE_CONTEXT,
      ...(cfnValidation ? { '@aws-cdk/core:validateAgainstDefaultRules': true } : {}),
      ...options.context,
    },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stack = new SinewStack(app, 'Sinew');
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { app, stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };
export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

/** The resources of a type, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** The logical id of the construct's default CloudFormation resource. */
export function logicalId(construct: { node: { defaultChild?: unknown } }, stack: Stack): string {
  return stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);
}

/** Every IAM statement of the policies attached to a role. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const out: Statement[] = [];
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const roles = (policy.Properties!.Roles as Array<{ Ref: string }>).map((r) => r.Ref);
    if (!roles.includes(roleLogicalId)) continue;
    out.push(...((policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement));
  }
  return out;
}

/** Actions of a statement as an array. */
export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Statements that allow `action` on a resource whose rendering mentions `resourceHint` (a logical id). */
export function allows(statements: Statement[], action: string, resourceHint: string): Statement[] {
  return statements.filter(
    (s) => s.Effect === 'Allow' && actionsOf(s).includes(action) && JSON.stringify(s.Resource).includes(resourceHint),
  );
}

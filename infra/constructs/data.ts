import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '#lib/store/dynamodb/schema.ts';
import { TEAM_BY_PK_PREFIX, TEAM_PK_PREFIX } from '#lib/store/dynamodb/team-index.ts';

/** A DynamoDB action a function may be granted on the table. */
export type TableAction =
  | 'GetItem' | 'BatchGetItem' | 'Query' | 'ConditionCheckItem' | 'DescribeTable'
  | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';
/**
 * What a function may do with the table: read (table and gsi1), read and write, or
 * exactly the actions it calls, on the table only, or on the table and gsi1 with `index`.
 */
export type TableAccess = 'read' | 'readwrite' | { readonly actions: readonly TableAction[]; readonly index?: boolean };
/**
 * What a function may do with the team index (DESIGN section 10; the `TEAM#` and `TEAMBY#`
 * partitions of lib/store/dynamodb/team-index.ts):
 * - `none` (the default): nothing at all, whatever its table access;
 * - `publish`: what its table access allows (the report worker: each sharer's own job
 *   writes and reads the index);
 * - `read-and-remove`: read, and remove, never put (the links function: the who-knows page
 *   reads; stop sharing and keep private remove a person's entries in the same request,
 *   through Store.teamIndex.remove, the code the report worker runs for a non-sharer: batch
 *   deletes of their entries and an UpdateItem that REMOVEs their key from each account's
 *   summary item);
 * - `read`: Query only (the brief worker with the team view on: Store.teamIndex.list of
 *   the attendees' accounts), never a write.
 */
export type TeamIndexAccess = 'none' | 'publish' | 'read-and-remove' | 'read';
/** What a function may do with the token key: seal new tokens, or open stored ones. */
export type TokenKeyAccess = 'seal' | 'open';

export interface SinewDataProps {
  /**
   * What happens to the table and its keys when the stack is deleted.
   * @default RemovalPolicy.RETAIN (people's history and tokens outlive a mistaken `cdk destroy`)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Refuses DeleteTable until switched off.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

const TABLE_READ: readonly TableAction[] = ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem', 'DescribeTable'];
const TABLE_WRITE: readonly TableAction[] = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
/** Every item action a grant can give: what the index's deny covers. */
const ITEM_ACTIONS: readonly string[] = [...TABLE_READ.filter((a) => a !== 'DescribeTable'), ...TABLE_WRITE, 'Scan'];
/** The partition keys of the team index, as `dynamodb:LeadingKeys` patterns. */
export const TEAM_LEADING_KEYS: readonly string[] = [`${TEAM_PK_PREFIX}*`, `${TEAM_BY_PK_PREFIX}*`];

/**
 * The data of DESIGN section 2: the single table (keys, GSI and TTL exactly as
 * lib/store/dynamodb/schema.ts declares them; on-demand, point-in-time recovery,
 * encrypted with its own customer-managed key) and the KMS key that envelope-encrypts
 * refresh tokens. Grants are written out action by action (no `*`), and the token key is
 * usable only with the `{userId, accountId}` encryption context the vault always passes.
 */
export class SinewData extends Construct {
  readonly table: Table;
  /** Encrypts the table at rest. */
  readonly tableKey: Key;
  /**
   * Envelope-encrypts OAuth refresh tokens (lib/connect/kms-token-vault.ts) and personal
   * notes (lib/notes/notes.ts), each under its own encryption context.
   */
  readonly tokenKey: Key;

  constructor(scope: Construct, id: string, props: SinewDataProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.tableKey = new Key(this, 'TableKey', {
      description: 'Sinew: encrypts the DynamoDB table at rest',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });
    this.tokenKey = new Key(this, 'TokenKey', {
      description: 'Sinew: envelope encryption of OAuth refresh tokens (context userId + accountId)',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });

    const { partitionKey, sortKey, ttlAttribute, gsi1 } = TABLE_KEYS;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ttlAttribute,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: gsi1.indexName,
      partitionKey: { name: gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: gsi1.sortKey, type: AttributeType.STRING },
      // The schedulers need only who is due; they load each record by its key after.
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }

  /** The index ARN the schedulers query (no `index/*` wildcard). */
  get gsi1Arn(): string {
    return `${this.table.tableArn}/index/${TABLE_KEYS.gsi1.indexName}`;
  }

  /**
   * Lets `grantee` read (GetItem, Query on the table and gsi1) or also write the table, or
   * call exactly the listed actions on the table alone (and gsi1 with `index`); and use the table key only
   * through DynamoDB (to encrypt too when it may write). The team index is kept out of
   * reach unless `team` says otherwise ({@link TeamIndexAccess}): the grant is on the shared
   * table, so an explicit Deny conditioned on `dynamodb:LeadingKeys` takes the index's
   * partitions back out of it.
   */
  grantTable(grantee: IGrantable, access: TableAccess, team: TeamIndexAccess = 'none'): void {
    const listed = typeof access === 'object';
    const actions = listed ? access.actions : access === 'readwrite' ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: actions.map((a) => `dynamodb:${a}`),
        resources: listed && !access.index ? [this.table.tableArn] : [this.table.tableArn, this.gsi1Arn],
      }),
    );
    const writes = actions.some((a) => TABLE_WRITE.includes(a));
    const keyActions = writes ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:DescribeKey'];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: keyActions,
        resources: [this.tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.table.stack.region}.amazonaws.com` } },
      }),
    );
    this.limitTeamIndex(grantee, team);
  }

  /**
   * Denies what `team` does not allow on the team index's partitions. `ForAnyValue`: a
   * request naming any index partition (a batch holds several keys) is refused whole.
   * `read-and-remove` keeps BatchWriteItem and UpdateItem, which Store.teamIndex.remove
   * sends as deletes and as a REMOVE of the person's own summary key: IAM tells a batch's
   * puts from its deletes, or one update expression from another, only through
   * `dynamodb:Attributes`, which we do not rely on; the links function's code path writes no
   * entry (run under the stack's own grants in test/functions/service-team.test.ts).
   */
  private limitTeamIndex(grantee: IGrantable, team: TeamIndexAccess): void {
    if (team === 'publish') return;
    const actions = team === 'none' ? ITEM_ACTIONS : team === 'read' ? ITEM_ACTIONS.filter((a) => a !== 'Query') : ['PutItem'];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: actions.map((a) => `dynamodb:${a}`),
        resources: [this.table.tableArn, this.gsi1Arn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [...TEAM_LEADING_KEYS] } },
      }),
    );
  }

  /**
   * Lets `grantee` seal tokens (GenerateDataKey) or open them (Decrypt), never both unless
   * granted twice, and only with an encryption context carrying exactly `userId` and
   * `accountId` (lib/connect/accounts.ts `tokenContext`).
   */
  grantTokenKey(grantee: IGrantable, access: TokenKeyAccess): void {
    this.grantKeyUse(grantee, access, {
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['userId', 'accountId'] },
      Null: { 'kms:EncryptionContext:userId': 'false', 'kms:EncryptionContext:accountId': 'false' },
    });
  }

  /**
   * Lets `grantee` seal personal notes (GenerateDataKey) or open them (Decrypt) with the
   * token key, only under a note's encryption context: exactly `purpose`, `userId` and
   * `noteId`, with `purpose` = `note` (lib/notes/notes.ts `noteContext`). A note grant
   * opens no token (whose context is `userId` and `accountId`), and a token grant no note.
   */
  grantNoteKey(grantee: IGrantable, access: TokenKeyAccess): void {
    this.grantKeyUse(grantee, access, {
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'userId', 'noteId'] },
      StringEquals: { 'kms:EncryptionContext:purpose': 'note' },
      Null: { 'kms:EncryptionContext:userId': 'false', 'kms:EncryptionContext:noteId': 'false' },
    });
  }

  /** Sealing (GenerateDataKey) or opening (Decrypt) with the token key, under `conditions` on its encryption context. */
  private grantKeyUse(grantee: IGrantable, access: TokenKeyAccess, conditions: Record<string, unknown>): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [access === 'seal' ? 'kms:GenerateDataKey' : 'kms:Decrypt'],
        resources: [this.tokenKey.keyArn],
        conditions,
      }),
    );
  }
}

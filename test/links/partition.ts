import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { userPk } from '#lib/store/dynamodb/schema.ts';
import type { TestDynamo } from '#test/support/dynalite.ts';

/** Every raw record of one user's partition, as DynamoDB holds it (keys included). */
export async function partition(db: TestDynamo, userId: string): Promise<Array<Record<string, AttributeValue>>> {
  const records: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: userPk(userId) } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    records.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return records;
}

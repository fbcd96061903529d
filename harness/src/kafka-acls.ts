// Plays the part of Strimzi's User Operator for `authorization: simple` on the harness's broker (Strimzi's
// operators do not run here): each ACL rule of a KafkaUser's spec becomes Kafka ACL bindings for the user's
// principal, made through the admin API as the User Operator makes them. Its translation: one binding per
// operation; `type` allow unless the rule says deny; `host` "*" unless set; `patternType` literal unless set;
// the `cluster` resource named "kafka-cluster"; the principal `User:<name>` for SCRAM and `User:CN=<name>` (the
// subject of the certificate it issues) for TLS.
import {
  type AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type createKafka,
  ResourcePatternTypes,
} from '@spotify-pipeline/shared/kafka';
import { waitUntil } from './ports.js';

type KafkaClient = ReturnType<typeof createKafka>;

/** One entry of a KafkaUser's `spec.authorization.acls` (Strimzi's `AclRule`). */
export interface StrimziAclRule {
  type?: 'allow' | 'deny';
  resource: {
    type: 'topic' | 'group' | 'cluster' | 'transactionalId';
    name?: string;
    patternType?: 'literal' | 'prefix';
  };
  host?: string;
  operations: Array<
    | 'Read'
    | 'Write'
    | 'Create'
    | 'Delete'
    | 'Alter'
    | 'Describe'
    | 'ClusterAction'
    | 'AlterConfigs'
    | 'DescribeConfigs'
    | 'IdempotentWrite'
    | 'All'
  >;
}

const RESOURCE_TYPES = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  cluster: AclResourceTypes.CLUSTER,
  transactionalId: AclResourceTypes.TRANSACTIONAL_ID,
} as const;

const OPERATIONS = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Delete: AclOperationTypes.DELETE,
  Alter: AclOperationTypes.ALTER,
  Describe: AclOperationTypes.DESCRIBE,
  ClusterAction: AclOperationTypes.CLUSTER_ACTION,
  AlterConfigs: AclOperationTypes.ALTER_CONFIGS,
  DescribeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
  IdempotentWrite: AclOperationTypes.IDEMPOTENT_WRITE,
  All: AclOperationTypes.ALL,
} as const;

/** The principal Kafka's authorizer sees for a KafkaUser that logs in as `authentication` says. */
export function strimziPrincipal(name: string, authentication: 'scram-sha-512' | 'tls'): string {
  return authentication === 'tls' ? `User:CN=${name}` : `User:${name}`;
}

/** The Kafka ACL bindings of `rules` for `principal`, as Strimzi's User Operator makes them. */
function strimziAclBindings(principal: string, rules: StrimziAclRule[]): AclEntry[] {
  return rules.flatMap((rule) => {
    const { type, name, patternType } = rule.resource;
    const resourceName = type === 'cluster' ? 'kafka-cluster' : name;
    if (!resourceName) throw new Error(`a ${type} ACL rule needs resource.name: ${JSON.stringify(rule)}`);
    return rule.operations.map((operation) => ({
      principal,
      host: rule.host ?? '*',
      resourceType: RESOURCE_TYPES[type],
      resourceName,
      resourcePatternType:
        patternType === 'prefix' && type !== 'cluster'
          ? ResourcePatternTypes.PREFIXED
          : ResourcePatternTypes.LITERAL,
      operation: OPERATIONS[operation],
      permissionType: rule.type === 'deny' ? AclPermissionTypes.DENY : AclPermissionTypes.ALLOW,
    }));
  });
}

/**
 * Creates the bindings of `rules` for `principal` through `kafka`, a client of the super user, and resolves once
 * the broker's authorizer answers with all of them (ACLs reach it through the metadata log, a moment after the
 * controller accepts them). Returns the bindings. Adds only: a principal's earlier bindings stay.
 */
export async function applyStrimziAcls(
  kafka: KafkaClient,
  principal: string,
  rules: StrimziAclRule[],
  options: { timeoutMs?: number } = {},
): Promise<AclEntry[]> {
  const bindings = strimziAclBindings(principal, rules);
  if (bindings.length === 0) return bindings;
  const client = kafka.admin();
  await client.connect();
  try {
    await client.createAcls({ acl: bindings });
    const key = (b: AclEntry) =>
      [b.resourceType, b.resourceName, b.resourcePatternType, b.host, b.operation, b.permissionType].join(
        '|',
      );
    const wanted = new Set(bindings.map(key));
    await waitUntil(
      `the broker to apply the ACLs of ${principal}`,
      async () => {
        const { resources } = await client.describeAcls({
          resourceType: AclResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal,
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        });
        const seen = new Set(resources.flatMap((r) => r.acls.map((a) => key({ ...r, ...a }))));
        return [...wanted].every((k) => seen.has(k));
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 250 },
    );
    return bindings;
  } finally {
    await client.disconnect();
  }
}

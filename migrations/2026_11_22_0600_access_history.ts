import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

/**
 * Tables of the access-history projection (periods of grants, custom-role permissions and scope
 * kinds, group memberships, namespace ownership), and indexes for the audit queries that filter by
 * actor name, by namespace, and by workspace and outcome.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const periodTable = (name: string, keyColumns: string[], extra: string[] = []) => {
    let t: CreateTableBuilder<string, string> = db.schema.createTable(name);
    for (const c of [...keyColumns, ...extra]) t = t.addColumn(c, 'text', (col) => (keyColumns.includes(c) ? col.notNull() : col));
    return t
      .addColumn('from_position', 'bigint', (c) => c.notNull())
      .addColumn('from_time', 'timestamptz', (c) => c.notNull())
      .addColumn('from_actor', 'text', (c) => c.notNull())
      .addColumn('to_position', 'bigint')
      .addColumn('to_time', 'timestamptz')
      .addColumn('to_actor', 'text')
      .addPrimaryKeyConstraint(`${name}_pkey`, [...keyColumns, 'from_position'] as any);
  };

  await periodTable('grant_periods', ['subject_kind', 'subject_id', 'role_id', 'scope_key'], ['scope_kind', 'workspace_id', 'cluster_id', 'namespace']).execute();
  // "Who held P on namespace N": the grants on N, on its workspace, and on the platform (partial indexes: each row is in one).
  await db.schema.createIndex('grant_periods_namespace_idx').on('grant_periods').columns(['cluster_id', 'namespace', 'role_id']).where(sql.ref('scope_kind'), '=', 'namespace').execute();
  await db.schema.createIndex('grant_periods_workspace_idx').on('grant_periods').columns(['workspace_id', 'role_id']).where(sql.ref('scope_kind'), '=', 'workspace').execute();
  await db.schema.createIndex('grant_periods_platform_idx').on('grant_periods').columns(['role_id']).where(sql.ref('scope_kind'), '=', 'platform').execute();

  await periodTable('role_permission_periods', ['role_id', 'permission']).execute();
  await db.schema.createIndex('role_permission_periods_permission_idx').on('role_permission_periods').columns(['permission', 'role_id']).execute();

  await periodTable('role_grantable_periods', ['role_id', 'scope_kind']).execute();

  await periodTable('group_membership_periods', ['user_id', 'group_name']).execute();
  await db.schema.createIndex('group_membership_periods_group_idx').on('group_membership_periods').columns(['group_name', 'user_id']).execute();

  await periodTable('namespace_workspace_periods', ['cluster_id', 'namespace', 'workspace_id']).execute();

  // The audit page filters by the actor's name and by namespace, newest first.
  await db.schema.createIndex('audit_records_actor_name_idx').on('audit_records').columns(['actor_name', 'occurred_at desc', 'position desc']).execute();
  await db.schema.createIndex('audit_records_namespace_idx').on('audit_records').columns(['namespace', 'cluster_id', 'occurred_at desc', 'position desc']).execute();
  // Refusals are a few per cent: "what was refused in workspace W" would otherwise read every record of W.
  await db.schema.createIndex('audit_records_workspace_outcome_idx').on('audit_records').columns(['workspace_id', 'outcome', 'occurred_at desc', 'position desc']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_records_workspace_outcome_idx').ifExists().execute();
  await db.schema.dropIndex('audit_records_namespace_idx').ifExists().execute();
  await db.schema.dropIndex('audit_records_actor_name_idx').ifExists().execute();
  for (const table of ['namespace_workspace_periods', 'group_membership_periods', 'role_grantable_periods', 'role_permission_periods', 'grant_periods']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

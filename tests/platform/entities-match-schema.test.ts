// The MikroORM entities (platform/db/entities) and the tables the committed migrations make must say the same thing:
// every table has an entity (the report rollups excepted, see the index), every column a property of the same type
// and nullability, and no property names a column that is not there. A migration that adds, drops or changes a column
// fails here until its entity follows.
import { MikroORM } from '@mikro-orm/postgresql';
import { openOrm } from '../../platform/db/orm';

const WITHOUT_ENTITY = new Set(['mikro_orm_migrations', 'report_created_days', 'report_duration_buckets', 'report_escalation_days', 'report_resolved_days']);

/** One name per type family, from either side: PostgreSQL's udt_name or an entity's column type. */
function family(type: string): string {
  const t = type.toLowerCase().replace(/\(.*\)/, '').trim();
  const names: Record<string, string> = {
    text: 'text', varchar: 'varchar', 'character varying': 'varchar', uuid: 'uuid', timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz',
    int4: 'int4', int: 'int4', integer: 'int4', int2: 'int2', smallint: 'int2', int8: 'int8', bigint: 'int8', bool: 'bool', boolean: 'bool',
    jsonb: 'jsonb', json: 'jsonb', date: 'date', numeric: 'numeric', decimal: 'numeric', _text: 'text[]', 'text[]': 'text[]', _uuid: 'uuid[]', 'uuid[]': 'uuid[]',
    bytea: 'bytea', tsvector: 'tsvector', serial: 'int4', bigserial: 'int8',
  };
  return names[t] ?? `unknown:${t}`;
}

interface Column {
  table_name: string;
  column_name: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}

let orm: MikroORM;
beforeAll(async () => {
  orm = (await openOrm(process.env.DATABASE_URL!, { poolMax: 2 })) as MikroORM;
});
afterAll(async () => orm?.close());

it('should have an entity for every table, and a property of the same type and nullability for every column', async () => {
  const columns = await orm.em.getConnection().execute<Column[]>(
    `select c.table_name, c.column_name, c.udt_name, c.is_nullable
       from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'`,
  );
  const inDatabase = new Map<string, Map<string, Column>>();
  for (const c of columns) {
    if (WITHOUT_ENTITY.has(c.table_name)) continue;
    if (!inDatabase.has(c.table_name)) inDatabase.set(c.table_name, new Map());
    inDatabase.get(c.table_name)!.set(c.column_name, c);
  }

  const differences: string[] = [];
  const described = new Set<string>();
  for (const meta of orm.getMetadata()) {
    if (meta.embeddable || meta.virtual || !meta.tableName) continue;
    const table = meta.tableName;
    described.add(table);
    const dbColumns = inDatabase.get(table);
    if (!dbColumns) {
      differences.push(`${meta.className}: no table ${table}`);
      continue;
    }
    const seen = new Set<string>();
    for (const prop of Object.values(meta.properties)) {
      const column = prop.fieldNames?.[0];
      if (!column) continue;
      seen.add(column);
      const db = dbColumns.get(column);
      if (!db) {
        differences.push(`${table}.${column}: in ${meta.className}, not in the table`);
        continue;
      }
      const want = family(db.udt_name);
      const have = family(prop.columnTypes[0] ?? String(prop.type));
      if (want !== have) differences.push(`${table}.${column}: ${db.udt_name} in the table, ${prop.columnTypes[0]} in ${meta.className}`);
      const nullable = db.is_nullable === 'YES';
      if (!prop.primary && Boolean(prop.nullable) !== nullable) differences.push(`${table}.${column}: ${nullable ? 'nullable' : 'not null'} in the table, ${prop.nullable ? 'nullable' : 'not null'} in ${meta.className}`);
    }
    for (const column of dbColumns.keys()) if (!seen.has(column)) differences.push(`${table}.${column}: in the table, not in ${meta.className}`);
  }
  for (const table of inDatabase.keys()) if (!described.has(table)) differences.push(`${table}: no entity`);
  expect(differences).toEqual([]);
});

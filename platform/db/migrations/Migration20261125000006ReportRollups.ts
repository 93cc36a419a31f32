// Report roll-ups: daily sums and duration histograms of ticket_facts, kept exact by triggers (see platform/db/rollup-sql.ts).
import { Migration } from '@mikro-orm/migrations';
import { rollupDownSql, rollupUpSql } from '../rollup-sql';

export class Migration20261125000006ReportRollups extends Migration {
  override name = 'Migration20261125000006ReportRollups';

  override up(): void {
    for (const sql of rollupUpSql()) this.addSql(sql);
  }

  override down(): void {
    for (const sql of rollupDownSql()) this.addSql(sql);
  }
}

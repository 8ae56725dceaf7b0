//! Fewer writes per message imported (schema V23 on SQLite, the fifth migration on PostgreSQL: the same SQL).

/// `raw_gaps` measured (again): the highest ledger row whose raw bytes are not in `raw_mail`.
macro_rules! measure_raw_gaps {
    () => {
        "DELETE FROM raw_gaps;
INSERT INTO raw_gaps SELECT COALESCE(MAX(l.id), 0) FROM ledger l
  WHERE NOT EXISTS (SELECT 1 FROM raw_mail r WHERE r.sha256 = l.sha256);"
    };
}

/// - Stages are counted by severity for tickets only (the dashboard), so conversations made from mail stay out of
///   that index.
/// - `raw_gaps`: the ledger's rows at or below this id may lack their raw bytes (they came before raw mail was
///   kept, or were copied from such a database). Above it every row's bytes are in `raw_mail`, so bytes that are
///   new there were never read before and need no look in the ledger.
pub const V23: &str = concat!(
    "DROP INDEX items_stage_severity;
CREATE INDEX tickets_stage_severity ON items(stage, severity) WHERE kind = 'ticket';
CREATE TABLE raw_gaps(ledger_upto BIGINT NOT NULL);
",
    measure_raw_gaps!()
);

/// `raw_gaps` measured again, after rows came in from elsewhere (`db copy`).
pub const REMEASURE_RAW_GAPS: &str = measure_raw_gaps!();

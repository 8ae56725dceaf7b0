//! Domain types as SQL values: enums as their kebab names, record ids as their rows.

use crate::domain::{
    AccountId, ArticleId, ContactId, ContactRole, DeliveryState, Direction, Doing, Kind, LinkRel, MsgChannel,
    NoticeKind, PartKind, Severity, SourceChannel, Subtype, TagTarget, Tier,
};
use crate::stage::{AnyStage, ConversationStage, IssueStage, Stage, TaskStage, TicketStage};
use postgres::types::{FromSql as PgFromSql, IsNull, ToSql as PgToSql, Type};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

type PgResult<T> = Result<T, Box<dyn std::error::Error + Sync + Send>>;

fn text_of<T>(v: ValueRef<'_>, parse: impl FnOnce(&str) -> crate::Result<T>) -> FromSqlResult<T> {
    parse(v.as_str()?).map_err(|e| FromSqlError::Other(Box::new(e)))
}

macro_rules! sql_text {
    ($($t:ty),+) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        impl FromSql for $t {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                text_of(v, <$t>::parse)
            }
        }
        pg_text!($t);
        impl<'a> PgFromSql<'a> for $t {
            fn from_sql(ty: &Type, raw: &'a [u8]) -> PgResult<Self> {
                Ok(<$t>::parse(<&str as PgFromSql>::from_sql(ty, raw)?)?)
            }
            fn accepts(ty: &Type) -> bool {
                <&str as PgFromSql>::accepts(ty)
            }
        }
        super::conn::param!($t);
        super::conn::col!($t);
    )+};
}

/// A value bound as its name on PostgreSQL.
macro_rules! pg_text {
    ($t:ty) => {
        impl PgToSql for $t {
            fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> PgResult<IsNull> {
                PgToSql::to_sql(&self.as_str(), ty, out)
            }
            fn accepts(ty: &Type) -> bool {
                <&str as PgToSql>::accepts(ty)
            }
            postgres::types::to_sql_checked!();
        }
    };
}

sql_text!(
    Kind,
    Severity,
    Subtype,
    SourceChannel,
    PartKind,
    LinkRel,
    MsgChannel,
    Direction,
    DeliveryState,
    Tier,
    NoticeKind,
    Doing
);
sql_text!(ConversationStage, TicketStage, IssueStage, TaskStage);

macro_rules! sql_row_id {
    ($($t:ident),+) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0))
            }
        }
        impl FromSql for $t {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                v.as_i64().map($t)
            }
        }
        impl PgToSql for $t {
            fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> PgResult<IsNull> {
                PgToSql::to_sql(&self.0, ty, out)
            }
            fn accepts(ty: &Type) -> bool {
                <i64 as PgToSql>::accepts(ty)
            }
            postgres::types::to_sql_checked!();
        }
        impl<'a> PgFromSql<'a> for $t {
            fn from_sql(ty: &Type, raw: &'a [u8]) -> PgResult<Self> {
                Ok($t(i64::from_sql(ty, raw)?))
            }
            fn accepts(ty: &Type) -> bool {
                <i64 as PgFromSql>::accepts(ty)
            }
        }
        super::conn::param!($t);
        super::conn::col!($t);
    )+};
}

sql_row_id!(ContactId, AccountId, ArticleId);

macro_rules! sql_name {
    ($($t:ty),+) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        pg_text!($t);
        super::conn::param!($t);
    )+};
}

sql_name!(TagTarget, ContactRole, AnyStage);

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn enums_and_ids_round_trip_through_sql() {
        let c = Connection::open_in_memory().unwrap();
        let (k, s, t, a): (Kind, Severity, TicketStage, ContactId) = c
            .query_row(
                "SELECT ?1, ?2, ?3, ?4",
                rusqlite::params![Kind::Ticket, Severity::Blocker, TicketStage::AwaitingProductAssist, ContactId(7)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!((k, s, t, a), (Kind::Ticket, Severity::Blocker, TicketStage::AwaitingProductAssist, ContactId(7)));
        let bad: rusqlite::Result<Severity> = c.query_row("SELECT 'urgent'", [], |r| r.get(0));
        assert!(bad.is_err());
        assert_eq!(AnyStage::parse(Kind::Issue, "in-review").unwrap().label(), "in review");
    }
}

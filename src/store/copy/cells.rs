//! One value of a copied row as either backend reads it, and as each target column takes it.

use crate::Result;
use postgres::types::{ToSql as PgToSql, Type};
use rusqlite::types::{ToSqlOutput, ValueRef};

/// A value as read: SQLite's five storage classes (PostgreSQL's columns map onto them).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    /// Column `i` of a SQLite row. A text that is not UTF-8 is read as it shows (the store reads texts as UTF-8).
    pub fn lite(r: &rusqlite::Row<'_>, i: usize) -> Result<Cell> {
        Ok(match r.get_ref(i)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Int(v),
            ValueRef::Real(v) => Cell::Real(v),
            ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
        })
    }

    /// Column `i` of a PostgreSQL row, by its type.
    pub fn pg(r: &postgres::Row, i: usize) -> Result<Cell> {
        let ty = r.columns()[i].type_();
        let cell = if *ty == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
        } else if *ty == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)?.map(|v| Cell::Int(v.into()))
        } else if *ty == Type::INT2 {
            r.try_get::<_, Option<i16>>(i)?.map(|v| Cell::Int(v.into()))
        } else if *ty == Type::BOOL {
            r.try_get::<_, Option<bool>>(i)?.map(|v| Cell::Int(v.into()))
        } else if *ty == Type::FLOAT8 {
            r.try_get::<_, Option<f64>>(i)?.map(Cell::Real)
        } else if *ty == Type::FLOAT4 {
            r.try_get::<_, Option<f32>>(i)?.map(|v| Cell::Real(v.into()))
        } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
            r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
        } else if *ty == Type::BYTEA {
            r.try_get::<_, Option<Vec<u8>>>(i)?.map(Cell::Blob)
        } else {
            return Err(unsupported(ty, r.columns()[i].name()));
        };
        Ok(cell.unwrap_or(Cell::Null))
    }

    /// The value as a PostgreSQL column of type `ty` takes it. TEXT cannot hold a NUL: it becomes U+FFFD, as
    /// everywhere the store writes to PostgreSQL.
    pub fn typed(&self, ty: &Type, col: &str) -> Result<Typed> {
        let wrong = || crate::Error::invalid(format!("column {col} ({ty}) cannot hold the value {self:?}"));
        let kind = [Type::INT8, Type::FLOAT8, Type::TEXT, Type::BYTEA].iter().position(|t| t == ty);
        Ok(match (kind, self) {
            (Some(0), Cell::Null) => Typed::Int(None),
            (Some(0), Cell::Int(v)) => Typed::Int(Some(*v)),
            (Some(0), Cell::Text(t)) => Typed::Int(Some(t.trim().parse().map_err(|_| wrong())?)),
            (Some(0), Cell::Real(v)) if v.fract() == 0.0 => Typed::Int(Some(*v as i64)),
            (Some(1), Cell::Null) => Typed::Real(None),
            (Some(1), Cell::Real(v)) => Typed::Real(Some(*v)),
            (Some(1), Cell::Int(v)) => Typed::Real(Some(*v as f64)),
            (Some(2), Cell::Null) => Typed::Text(None),
            (Some(2), Cell::Text(t)) => Typed::Text(Some(t.replace('\0', "\u{FFFD}"))),
            (Some(2), Cell::Int(v)) => Typed::Text(Some(v.to_string())),
            (Some(2), Cell::Real(v)) => Typed::Text(Some(v.to_string())),
            (Some(2), Cell::Blob(b)) => Typed::Text(Some(String::from_utf8_lossy(b).replace('\0', "\u{FFFD}"))),
            (Some(3), Cell::Null) => Typed::Blob(None),
            (Some(3), Cell::Blob(b)) => Typed::Blob(Some(b.clone())),
            (Some(3), Cell::Text(t)) => Typed::Blob(Some(t.as_bytes().to_vec())),
            (Some(_), _) => return Err(wrong()),
            (None, _) => return Err(unsupported(ty, col)),
        })
    }
}

fn unsupported(ty: &Type, col: &str) -> crate::Error {
    crate::Error::invalid(format!("db copy does not know the column type {ty} (column {col})"))
}

impl rusqlite::ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Cell::Null => ValueRef::Null,
            Cell::Int(v) => ValueRef::Integer(*v),
            Cell::Real(v) => ValueRef::Real(*v),
            Cell::Text(t) => ValueRef::Text(t.as_bytes()),
            Cell::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// A value typed for one PostgreSQL column (a NULL too must have the column's type for the binary COPY).
pub(crate) enum Typed {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

impl Typed {
    pub fn sql(&self) -> &(dyn PgToSql + Sync) {
        match self {
            Typed::Int(v) => v,
            Typed::Real(v) => v,
            Typed::Text(v) => v,
            Typed::Blob(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cell, Typed};
    use postgres::types::Type;

    #[test]
    fn values_take_the_type_of_their_postgres_column() {
        let text = Cell::Text("a\0b".into()).typed(&Type::TEXT, "t").unwrap();
        assert!(matches!(text, Typed::Text(Some(t)) if t == "a\u{FFFD}b"), "a NUL cannot be in a TEXT");
        assert!(matches!(Cell::Null.typed(&Type::BYTEA, "b").unwrap(), Typed::Blob(None)));
        assert!(matches!(Cell::Text("12".into()).typed(&Type::INT8, "n").unwrap(), Typed::Int(Some(12))));
        assert!(Cell::Text("twelve".into()).typed(&Type::INT8, "n").is_err(), "refused, not made up");
        assert!(Cell::Int(1).typed(&Type::TS_VECTOR, "fts").is_err());
    }
}

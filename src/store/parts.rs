//! Members of the help desk and the product part tree.

use super::{Reader, Writer};
use crate::domain::{PartKind, PartRef, RecordKind, parse_record_id};
use crate::{Error, Result};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub login: String,
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub id: PartRef,
    #[serde(skip)]
    pub row: i64,
    pub kind: PartKind,
    pub name: String,
    pub parent: Option<PartRef>,
}

impl Reader<'_> {
    pub fn members(&self) -> Result<Vec<Member>> {
        self.c.rows("SELECT login, name, email FROM members ORDER BY login", &[], |r| {
            Ok(Member { login: r.get("login")?, name: r.get("name")?, email: r.get("email")? })
        })
    }

    pub fn member_row(&self, login: &str) -> Result<i64> {
        self.c
            .value("SELECT id FROM members WHERE login = ?1 OR email = ?1", &[&login.trim()])?
            .ok_or_else(|| Error::not_found(format!("member '{login}'")))
    }

    pub fn parts(&self) -> Result<Vec<Part>> {
        let sql = "SELECT p.id, p.kind, p.num, p.name, q.kind AS parent_kind, q.num AS parent_num
             FROM parts p LEFT JOIN parts q ON q.id = p.parent_id ORDER BY p.id";
        self.c.rows(sql, &[], |r| {
            let kind: PartKind = r.get("kind")?;
            let parent_kind: Option<PartKind> = r.get("parent_kind")?;
            Ok(Part {
                row: r.get("id")?,
                id: PartRef { kind, num: r.get("num")? },
                kind,
                name: r.get("name")?,
                parent: parent_kind.zip(r.get("parent_num")?).map(|(kind, num)| PartRef { kind, num }),
            })
        })
    }

    /// The row of a part.
    pub fn part_row_of(&self, p: PartRef) -> Result<i64> {
        self.c
            .value("SELECT id FROM parts WHERE kind = ?1 AND num = ?2", &[&p.kind, &p.num])?
            .ok_or_else(|| Error::not_found(p.to_string()))
    }

    /// A part by display id (`FEAT-3`) or exact name (case-insensitive).
    pub fn part_row(&self, s: &str) -> Result<i64> {
        let kinds = [RecordKind::Product, RecordKind::Capability, RecordKind::Feature];
        let found = if parse_record_id(s, &kinds).is_ok() {
            return self.part_row_of(s.parse()?).map_err(|_| Error::not_found(format!("part '{s}'")));
        } else {
            self.c.value("SELECT id FROM parts WHERE lower(name) = lower(?1) ORDER BY id LIMIT 1", &[&s.trim()])?
        };
        found.ok_or_else(|| Error::not_found(format!("part '{s}'")))
    }
}

impl Writer<'_> {
    pub fn add_member(&self, login: &str, name: &str, email: Option<&str>) -> Result<()> {
        if login.trim().is_empty() {
            return Err(Error::invalid("a member needs a login"));
        }
        if self.member_row(login).is_ok() {
            return Err(Error::invalid(format!("member '{login}' exists already")));
        }
        self.c
            .execute("INSERT INTO members(login, name, email) VALUES (?1, ?2, ?3)", &[&login.trim(), &name, &email])?;
        Ok(())
    }

    pub fn add_part(&self, kind: PartKind, name: &str, parent: Option<i64>) -> Result<PartRef> {
        if name.trim().is_empty() {
            return Err(Error::invalid("a part needs a name"));
        }
        let parent_kind: Option<PartKind> = match parent {
            Some(p) => Some(self.c.one("SELECT kind FROM parts WHERE id = ?1", &[&p], |r| r.get(0))?),
            None => None,
        };
        let want_parent = match kind {
            PartKind::Product => None,
            PartKind::Capability => Some(PartKind::Product),
            PartKind::Feature => Some(PartKind::Capability),
        };
        if parent_kind != want_parent {
            return Err(Error::invalid(match want_parent {
                None => "a product has no parent".to_string(),
                Some(k) => format!("a {kind} needs a {k} as its parent (--parent)"),
            }));
        }
        self.c.lock_numbering(format_args!("parts {kind}"))?;
        let num: i64 =
            self.c.one("SELECT COALESCE(MAX(num), 0) + 1 FROM parts WHERE kind = ?1", &[&kind], |r| r.get(0))?;
        self.c.execute(
            "INSERT INTO parts(kind, num, name, parent_id) VALUES (?1, ?2, ?3, ?4)",
            &[&kind, &num, &name.trim(), &parent],
        )?;
        Ok(PartRef { kind, num })
    }
}

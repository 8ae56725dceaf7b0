//! Numbered migrations of the database schema.

pub(crate) mod lighter;
pub(crate) mod pg;
mod team;
mod words;

use rusqlite_migration::{M, Migrations};

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(V4),
        M::up(V5),
        M::up(V6),
        M::up(V7),
        M::up(V8),
        M::up(V9),
        M::up(DRAFTS),
        M::up(ARTICLES),
        M::up(V10),
        M::up(V11),
        M::up(V12),
        M::up(V13),
        M::up(super::vectors::MIGRATION),
        M::up(team::LITE),
        M::up(V18),
        M::up(super::team::MIGRATION),
        M::up(V20),
        M::up(words::V21),
        M::up(words::V22),
        M::up(lighter::V23),
    ])
}

const V1: &str = r#"
CREATE TABLE members(
  id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL, email TEXT
);
CREATE TABLE parts(
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, num INTEGER NOT NULL, name TEXT NOT NULL,
  parent_id INTEGER REFERENCES parts(id), UNIQUE(kind, num)
);
CREATE INDEX parts_parent ON parts(parent_id);
CREATE TABLE accounts(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, tier TEXT, description TEXT NOT NULL DEFAULT '',
  owner_id INTEGER REFERENCES members(id), external_ref TEXT UNIQUE,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX accounts_name ON accounts(name);
CREATE TABLE account_domains(
  domain TEXT PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE INDEX account_domains_account ON account_domains(account_id);
CREATE TABLE contacts(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, external_ref TEXT UNIQUE, verified INTEGER NOT NULL DEFAULT 0,
  account_id INTEGER REFERENCES accounts(id), phones TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX contacts_account ON contacts(account_id);
CREATE TABLE contact_emails(
  email TEXT PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contact_emails_contact ON contact_emails(contact_id);
CREATE TABLE items(
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, num INTEGER NOT NULL,
  title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', stage TEXT NOT NULL,
  severity TEXT, subtype TEXT, part_id INTEGER REFERENCES parts(id),
  account_id INTEGER REFERENCES accounts(id), contact_id INTEGER REFERENCES contacts(id),
  owner_id INTEGER REFERENCES members(id), grp TEXT,
  needs_response INTEGER NOT NULL DEFAULT 0, known INTEGER NOT NULL DEFAULT 1,
  channel TEXT NOT NULL, parent_id INTEGER REFERENCES items(id), mailbox TEXT,
  created_by TEXT NOT NULL, created_at INTEGER NOT NULL, updated_by TEXT NOT NULL, updated_at INTEGER NOT NULL,
  target_close INTEGER, closed_at INTEGER, norm_title TEXT NOT NULL DEFAULT '',
  UNIQUE(kind, num)
);
CREATE INDEX items_norm_title ON items(norm_title, kind);
CREATE INDEX items_stage ON items(kind, stage, num);
CREATE INDEX items_owner ON items(kind, owner_id, num);
CREATE INDEX items_severity ON items(kind, severity, num);
CREATE INDEX items_part ON items(kind, part_id, num);
CREATE INDEX items_account ON items(kind, account_id, num);
CREATE INDEX items_contact ON items(contact_id);
CREATE INDEX items_parent ON items(parent_id);
CREATE INDEX items_inbox ON items(kind, needs_response, known, updated_at, num);
CREATE TABLE tags(
  target TEXT NOT NULL, target_id INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY(target, target_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags(target, tag, target_id);
CREATE TABLE links(
  from_id INTEGER NOT NULL REFERENCES items(id), to_id INTEGER NOT NULL REFERENCES items(id),
  rel TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY(from_id, to_id, rel)
) WITHOUT ROWID;
CREATE INDEX links_to ON links(to_id, rel);
CREATE TABLE item_contacts(
  item_id INTEGER NOT NULL REFERENCES items(id), contact_id INTEGER NOT NULL REFERENCES contacts(id),
  role TEXT NOT NULL, PRIMARY KEY(item_id, role, contact_id)
) WITHOUT ROWID;
CREATE INDEX item_contacts_contact ON item_contacts(contact_id);
CREATE TABLE messages(
  id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items(id),
  channel TEXT NOT NULL, direction TEXT NOT NULL, message_id TEXT, in_reply_to TEXT, refs TEXT,
  from_addr TEXT NOT NULL DEFAULT '', from_name TEXT NOT NULL DEFAULT '', to_addrs TEXT NOT NULL DEFAULT '',
  cc_addrs TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',
  sent_at INTEGER NOT NULL, author TEXT, contact_id INTEGER REFERENCES contacts(id),
  delivery_state TEXT, delivery_detail TEXT, thread_reason TEXT NOT NULL DEFAULT '', class TEXT NOT NULL DEFAULT 'normal'
);
CREATE UNIQUE INDEX messages_message_id ON messages(message_id) WHERE message_id IS NOT NULL;
CREATE INDEX messages_item ON messages(item_id, sent_at);
CREATE INDEX messages_contact ON messages(contact_id, sent_at);
CREATE INDEX messages_lane ON messages(class, sent_at) WHERE item_id IS NULL;
CREATE TABLE message_refs(message_row INTEGER NOT NULL REFERENCES messages(id), ref_id TEXT NOT NULL, PRIMARY KEY(ref_id, message_row)) WITHOUT ROWID;
CREATE TABLE attachments(sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, mime TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE message_attachments(
  message_id INTEGER NOT NULL REFERENCES messages(id), sha256 TEXT NOT NULL REFERENCES attachments(sha256),
  name TEXT NOT NULL, PRIMARY KEY(message_id, sha256, name)
) WITHOUT ROWID;
CREATE TABLE stage_history(
  id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), from_stage TEXT, to_stage TEXT NOT NULL,
  by TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE INDEX stage_history_item ON stage_history(item_id, at);
CREATE INDEX stage_history_at ON stage_history(at);
CREATE TABLE ledger(
  id INTEGER PRIMARY KEY, source_key TEXT NOT NULL, message_id TEXT, sha256 TEXT NOT NULL,
  outcome TEXT NOT NULL, reason TEXT NOT NULL, item_id INTEGER REFERENCES items(id), msg_row INTEGER, at INTEGER NOT NULL
);
CREATE INDEX ledger_sha ON ledger(sha256);
CREATE INDEX ledger_source ON ledger(source_key);
CREATE INDEX ledger_message_id ON ledger(message_id);
CREATE INDEX ledger_outcome ON ledger(outcome);
CREATE TABLE quarantine(
  ledger_id INTEGER PRIMARY KEY REFERENCES ledger(id), raw BLOB NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE outbox(
  msg_row INTEGER PRIMARY KEY REFERENCES messages(id), mailbox TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_try_at INTEGER NOT NULL, last_error TEXT
);
CREATE TABLE mail_cursor(
  mailbox TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL,
  PRIMARY KEY(mailbox, folder)
);
CREATE TABLE saved_views(name TEXT PRIMARY KEY, kind TEXT NOT NULL, filter TEXT NOT NULL);
CREATE TABLE similar_feedback(
  a INTEGER NOT NULL, b INTEGER NOT NULL, verdict INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(a, b)
) WITHOUT ROWID;
CREATE TABLE audit(id INTEGER PRIMARY KEY, who TEXT NOT NULL, what TEXT NOT NULL, at INTEGER NOT NULL, undo TEXT);

-- FTS rows are written by the store at commit time (see Store::write), not by triggers:
-- a trigger's statement savepoint makes FTS5 flush its buffer on every row.
CREATE VIRTUAL TABLE items_fts USING fts5(
  title, description, content='items', content_rowid='id', tokenize='porter unicode61'
);
CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, 'row');
CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, body, content='messages', content_rowid='id', tokenize='porter unicode61'
);
"#;

/// Indexes for the dashboard, and prefix indexes so that filtering as you type stays fast on 100k items.
const V2: &str = r#"
CREATE INDEX stage_history_to ON stage_history(to_stage, item_id, at);
CREATE INDEX items_created ON items(created_at);
DROP TABLE items_vocab;
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5(
  title, description, content='items', content_rowid='id', tokenize='porter unicode61', prefix='1 2 3'
);
INSERT INTO items_fts(items_fts) VALUES ('rebuild');
CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, 'row');
"#;

/// Covering and partial indexes for the dashboard at 100k items.
const V3: &str = r#"
CREATE INDEX items_stage_severity ON items(kind, stage, severity);
CREATE INDEX items_waiting ON items(updated_at) WHERE needs_response = 1 AND closed_at IS NULL;
CREATE INDEX items_kind_created ON items(kind, created_at);
"#;

/// Prefix indexes of one to three letters only: the list filter reads `item_words` (V12), and the one prefix query
/// left on `items_fts` (a word being typed in a create form) reads a longer prefix's few completions from the main
/// index. Each indexed word of an item wrote seven entries, now four.
const V18: &str = r#"
DROP TABLE items_vocab;
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5(
  title, description, content='items', content_rowid='id', tokenize='porter unicode61', prefix='1 2 3'
);
INSERT INTO items_fts(items_fts, rank) VALUES ('automerge', 8);
INSERT INTO items_fts(items_fts) VALUES ('rebuild');
CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, 'row');
"#;

/// Prefix indexes up to six letters: a longer prefix with few completions (`card*`) otherwise makes FTS5 merge
/// their whole doclists before the first row (3 ms at 100k items, per keystroke).
const V4: &str = r#"
DROP TABLE items_vocab;
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5(
  title, description, content='items', content_rowid='id', tokenize='porter unicode61', prefix='1 2 3 4 5 6'
);
INSERT INTO items_fts(items_fts) VALUES ('rebuild');
CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, 'row');
"#;

/// Indexes no query reads, each one more b-tree insert (at a random key) per message ingested.
const V5: &str = r#"
DROP INDEX ledger_source;
DROP INDEX ledger_message_id;
DROP INDEX ledger_outcome;
DROP INDEX stage_history_at;
"#;

/// Fewer b-tree writes per message ingested. Subject threading finds items through the sender, not the title;
/// the day chart reads `items_kind_created`; an email is the key of its own table; the filters on owner, severity,
/// part, account and parent only ever ask for a value, so an item without one (a new conversation from mail) has no
/// entry in those indexes.
const V6: &str = r#"
DROP INDEX items_norm_title;
DROP INDEX items_created;
DROP INDEX items_owner;
DROP INDEX items_severity;
DROP INDEX items_part;
DROP INDEX items_account;
DROP INDEX items_parent;
CREATE INDEX items_owner ON items(kind, owner_id, num) WHERE owner_id IS NOT NULL;
CREATE INDEX items_severity ON items(kind, severity, num) WHERE severity IS NOT NULL;
CREATE INDEX items_part ON items(kind, part_id, num) WHERE part_id IS NOT NULL;
CREATE INDEX items_account ON items(kind, account_id, num) WHERE account_id IS NOT NULL;
CREATE INDEX items_parent ON items(parent_id) WHERE parent_id IS NOT NULL;
CREATE TABLE contact_emails_v6(
  email TEXT PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  position INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO contact_emails_v6(email, contact_id, position) SELECT email, contact_id, position FROM contact_emails;
DROP TABLE contact_emails;
ALTER TABLE contact_emails_v6 RENAME TO contact_emails;
CREATE INDEX contact_emails_contact ON contact_emails(contact_id);
"#;

/// Bulk ingest writes: FTS5 merges a level's segments when there are eight, not four (each posting is rewritten about
/// half as often while 100k messages are indexed; a query reads a few more segments, well under a millisecond), and
/// the ledger keys a message by its SHA-256 as 32 bytes, not 64 hex digits (a smaller table and index to write).
const V7: &str = r#"
INSERT INTO items_fts(items_fts, rank) VALUES ('automerge', 8);
INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 8);
UPDATE ledger SET sha256 = unhex(sha256) WHERE typeof(sha256) = 'text';
"#;

/// Message search asks only which messages have every word, newest first: the index keeps no positions
/// (`detail=none`), a third less to write per message ingested.
const V8: &str = r#"
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, body, content='messages', content_rowid='id', tokenize='porter unicode61', detail=none
);
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 8);
"#;

/// needs-response follows one rule (`stage::needs_response_after`), so a closing move clears it: an item closed
/// before the rule kept it; it goes unless a customer wrote after the item closed.
const V9: &str = r#"
UPDATE items SET needs_response = 0
WHERE needs_response = 1 AND closed_at IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM messages m
  WHERE m.item_id = items.id AND m.channel = 'customer' AND m.direction = 'in' AND m.class IN ('normal', 'list')
    AND m.sent_at > items.closed_at
);
"#;

/// Replies and notes as they are typed, one per item, member and channel: kept through a failed send, a quit or a
/// crash, offered again when the composer opens.
const DRAFTS: &str = r#"
CREATE TABLE drafts (
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  member TEXT NOT NULL,
  internal INTEGER NOT NULL,
  to_addrs TEXT NOT NULL DEFAULT '',
  cc_addrs TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (item_id, member, internal)
) WITHOUT ROWID;
"#;

/// Knowledge articles (SPEC §8): Markdown with a title, tags and a part; `source` is the file an import read it from
/// (a re-import updates it). The full-text index follows the table through triggers.
const ARTICLES: &str = r#"
CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  part_id INTEGER REFERENCES parts(id),
  source TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE VIRTUAL TABLE articles_fts USING fts5(
  title, body, content='articles', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
  INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
"#;

/// Unread markers: per member and item, the newest message of the item they have seen. Customer mail newer than
/// that makes the item unread for them; opening the item moves the mark.
const V11: &str = r#"
CREATE TABLE item_reads(
  member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  seen_msg INTEGER NOT NULL,
  PRIMARY KEY(member_id, item_id)
) WITHOUT ROWID;
"#;

/// The words of an item that a list filter finds at once, in one full-text row per item (row id = item id, so a
/// newest-first filter is driven by the index and stops after a screenful): title, description, account, owner and
/// the names and emails of its contacts. The writer notes new items, new people of an item and new emails (the
/// paths every ingested message takes: a trigger there would make each such insert keep a statement journal), and
/// triggers note the rarer changes; each item noted is indexed once when the transaction commits (`fresh`: new, no
/// row yet).
const V12: &str = r#"
CREATE VIRTUAL TABLE item_words USING fts5(
  words, content='', contentless_delete=1, tokenize='porter unicode61', prefix='1 2 3'
);
CREATE VIEW item_doc AS SELECT i.id AS id,
  i.title || ' ' || i.description || ' ' || COALESCE(a.name, '') || ' ' || COALESCE(m.login || ' ' || m.name, '')
  || ' ' || COALESCE((SELECT group_concat(c.name || ' ' || COALESCE(
       (SELECT group_concat(e.email, ' ') FROM contact_emails e WHERE e.contact_id = c.id), ''), ' ')
     FROM contacts c WHERE c.id = i.contact_id
       OR c.id IN (SELECT ic.contact_id FROM item_contacts ic WHERE ic.item_id = i.id)), '') AS words
  FROM items i LEFT JOIN accounts a ON a.id = i.account_id LEFT JOIN members m ON m.id = i.owner_id;
INSERT INTO item_words(rowid, words) SELECT id, words FROM item_doc;
CREATE TABLE item_words_stale(item_id INTEGER PRIMARY KEY, fresh INTEGER NOT NULL);
CREATE TRIGGER item_words_upd AFTER UPDATE OF title, description, account_id, contact_id, owner_id ON items
WHEN old.title IS NOT new.title OR old.description IS NOT new.description OR old.account_id IS NOT new.account_id
  OR old.contact_id IS NOT new.contact_id OR old.owner_id IS NOT new.owner_id BEGIN
  INSERT OR IGNORE INTO item_words_stale VALUES (new.id, 0);
END;
CREATE TRIGGER item_words_del AFTER DELETE ON items BEGIN
  DELETE FROM item_words WHERE rowid = old.id;
  DELETE FROM item_words_stale WHERE item_id = old.id;
END;
CREATE TRIGGER item_words_account AFTER UPDATE OF name ON accounts WHEN old.name IS NOT new.name BEGIN
  INSERT OR IGNORE INTO item_words_stale SELECT id, 0 FROM items WHERE account_id = new.id;
END;
CREATE TRIGGER item_words_member AFTER UPDATE OF login, name ON members BEGIN
  INSERT OR IGNORE INTO item_words_stale SELECT id, 0 FROM items WHERE owner_id = new.id;
END;
CREATE TRIGGER item_words_contact AFTER UPDATE OF name ON contacts WHEN old.name IS NOT new.name BEGIN
  INSERT OR IGNORE INTO item_words_stale SELECT id, 0 FROM items WHERE contact_id = new.id
    UNION SELECT item_id, 0 FROM item_contacts WHERE contact_id = new.id;
END;
CREATE TRIGGER item_words_email_del AFTER DELETE ON contact_emails BEGIN
  INSERT OR IGNORE INTO item_words_stale SELECT id, 0 FROM items WHERE contact_id = old.contact_id
    UNION SELECT item_id, 0 FROM item_contacts WHERE contact_id = old.contact_id;
END;
CREATE TRIGGER item_words_email_upd AFTER UPDATE ON contact_emails BEGIN
  INSERT OR IGNORE INTO item_words_stale SELECT id, 0 FROM items WHERE contact_id IN (old.contact_id, new.contact_id)
    UNION SELECT item_id, 0 FROM item_contacts WHERE contact_id IN (old.contact_id, new.contact_id);
END;
CREATE TRIGGER item_words_people_del AFTER DELETE ON item_contacts BEGIN
  INSERT OR IGNORE INTO item_words_stale VALUES (old.item_id, 0);
END;
"#;

/// One full-text row per item, not two: `items_fts` gains the item's people (account, owner, contacts' names and
/// emails) as a third column and becomes contentless, and takes the place of V12's `item_words`. The list filter
/// matches every column; similar work matches title and description (`{title description} :`), and ranks with the
/// people column's weight 0. Each indexed word of a new item was written eight times (two tables, three prefix
/// lengths each), now four.
const V20: &str = r#"
DROP TRIGGER item_words_del;
DROP TABLE items_vocab;
DROP TABLE items_fts;
DROP TABLE item_words;
DROP VIEW item_doc;
CREATE VIRTUAL TABLE items_fts USING fts5(
  title, description, people, content='', contentless_delete=1, tokenize='porter unicode61', prefix='1 2 3'
);
INSERT INTO items_fts(items_fts, rank) VALUES ('automerge', 8);
CREATE VIEW item_doc AS SELECT i.id AS id, i.title AS title, i.description AS description,
  COALESCE(a.name, '') || ' ' || COALESCE(m.login || ' ' || m.name, '')
  || ' ' || COALESCE((SELECT group_concat(c.name || ' ' || COALESCE(
       (SELECT group_concat(e.email, ' ') FROM contact_emails e WHERE e.contact_id = c.id), ''), ' ')
     FROM contacts c WHERE c.id = i.contact_id
       OR c.id IN (SELECT ic.contact_id FROM item_contacts ic WHERE ic.item_id = i.id)), '') AS people
  FROM items i LEFT JOIN accounts a ON a.id = i.account_id LEFT JOIN members m ON m.id = i.owner_id;
INSERT INTO items_fts(rowid, title, description, people) SELECT id, title, description, people FROM item_doc;
CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, 'col');
DELETE FROM item_words_stale;
CREATE TRIGGER item_words_del AFTER DELETE ON items BEGIN
  DELETE FROM items_fts WHERE rowid = old.id;
  DELETE FROM item_words_stale WHERE item_id = old.id;
END;
"#;

/// Drafts keep the files to send with them and the message a forward carries.
const V13: &str = r#"
ALTER TABLE drafts ADD COLUMN attach TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN forward_of INTEGER REFERENCES messages(id) ON DELETE SET NULL;
"#;

/// Every raw message kept once, by SHA-256, compressed (`codec` 1: zstd; 0: as received, for what quarantine held).
const V10: &str = r#"
CREATE TABLE raw_mail(sha256 BLOB PRIMARY KEY, size INTEGER NOT NULL, codec INTEGER NOT NULL, data BLOB NOT NULL);
INSERT OR IGNORE INTO raw_mail(sha256, size, codec, data)
  SELECT l.sha256, length(q.raw), 0, q.raw FROM quarantine q JOIN ledger l ON l.id = q.ledger_id;
UPDATE quarantine SET raw = x'';
"#;

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    #[test]
    fn v9_clears_needs_response_of_closed_items_unless_a_customer_wrote_since() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut c, 8).unwrap();
        for (num, stage, closed) in [(1, "resolved", Some(100)), (2, "archived", Some(100)), (3, "new", None)] {
            c.execute(
                "INSERT INTO items(id, kind, num, title, stage, needs_response, channel, closed_at, created_by, created_at,
                 updated_by, updated_at) VALUES (?1, 'conversation', ?1, 't', ?2, 1, 'email', ?3, 'x', 1, 'x', 1)",
                rusqlite::params![num, stage, closed],
            )
            .unwrap();
        }
        c.execute("INSERT INTO messages(item_id, channel, direction, sent_at) VALUES (2, 'customer', 'in', 200)", [])
            .unwrap();
        super::migrations().to_latest(&mut c).unwrap();
        let needs: Vec<i64> = c
            .prepare("SELECT needs_response FROM items ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(needs, [0, 1, 1], "resolved: cleared; archived with a later customer message and open: kept");
    }

    #[test]
    fn an_older_database_keeps_its_ledger_and_search_and_gets_the_merge_level() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut c, 6).unwrap();
        let sha = "8bf52e2b2410e8adb19206c38bebfabb514d69e19abf25b99dc0e509fa3c8115";
        c.execute(
            "INSERT INTO ledger(source_key, sha256, outcome, reason, at) VALUES ('file:x', ?1, 'new', 'new thread', 1)",
            [sha],
        )
        .unwrap();
        c.execute("INSERT INTO messages(channel, direction, subject, body, sent_at) VALUES ('email', 'in', 'ATM', 'card swallowed', 1)", [])
            .unwrap();
        // V22 moves the index to a file of its own: first what V7 and V8 did, then the index made when opened.
        super::migrations().to_version(&mut c, 21).unwrap();
        let hit = |c: &rusqlite::Connection, table: &str| -> i64 {
            let name = table.rsplit('.').next().unwrap_or(table);
            let q = format!("SELECT rowid FROM {table} WHERE {name} MATCH '\"card\" \"swallow\"'");
            c.query_row(&q, [], |r| r.get(0)).unwrap()
        };
        assert_eq!(hit(&c, "messages_fts"), 1, "messages stored before V8 are found after its rebuild");
        let found: i64 =
            c.query_row("SELECT COUNT(*) FROM ledger WHERE sha256 = unhex(?1)", [sha], |r| r.get(0)).unwrap();
        assert_eq!(found, 1, "the message is still known after the upgrade");
        let kind: String = c.query_row("SELECT typeof(sha256) FROM ledger", [], |r| r.get(0)).unwrap();
        assert_eq!(kind, "blob");
        for q in [
            "SELECT v FROM items_fts_config WHERE k = 'automerge'",
            "SELECT v FROM messages_fts_config WHERE k = 'automerge'",
        ] {
            let v: i64 = c.query_row(q, [], |r| r.get(0)).unwrap();
            assert_eq!(v, 8, "{q}");
        }
        super::migrations().to_latest(&mut c).unwrap();
        crate::store::index_file::attach(&c, None).unwrap();
        assert!(crate::store::index_file::reconcile(&c, None).unwrap(), "a new index is filled");
        assert_eq!(hit(&c, "search.messages_fts"), 1, "and finds what the database held");
        for q in [
            "SELECT v FROM search.items_fts_config WHERE k = 'automerge'",
            "SELECT v FROM search.messages_fts_config WHERE k = 'automerge'",
        ] {
            let v: i64 = c.query_row(q, [], |r| r.get(0)).unwrap();
            assert_eq!(v, 8, "{q}");
        }
        assert!(!crate::store::index_file::reconcile(&c, None).unwrap(), "an index caught up is kept");
    }

    #[test]
    fn v23_notes_ledger_rows_without_raw_bytes_and_counts_ticket_stages_by_severity() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut c, 22).unwrap();
        c.execute_batch(
            "INSERT INTO ledger(id, source_key, sha256, outcome, reason, at) VALUES
               (1, 'file:a', x'01', 'new', 'r', 1), (2, 'file:b', x'02', 'new', 'r', 1), (3, 'file:c', x'03', 'new', 'r', 1);
             INSERT INTO raw_mail(sha256, size, codec, data) VALUES (x'01', 1, 0, x'00'), (x'03', 1, 0, x'00');",
        )
        .unwrap();
        super::migrations().to_latest(&mut c).unwrap();
        let upto: i64 = c.query_row("SELECT ledger_upto FROM raw_gaps", [], |r| r.get(0)).unwrap();
        assert_eq!(upto, 2, "row 2 has no raw bytes");
        let plan: Vec<String> = c
            .prepare(
                "EXPLAIN QUERY PLAN SELECT stage, severity, COUNT(*) FROM items INDEXED BY tickets_stage_severity
                 WHERE kind = 'ticket' GROUP BY stage, severity",
            )
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let plan = plan.join(" ");
        assert!(plan.contains("COVERING INDEX tickets_stage_severity"), "{plan}");
    }

    #[test]
    fn v20_indexes_each_item_once_with_its_people() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        // V1–V9, drafts, articles, V10–V13, vectors, the team's two and V18 come before V20.
        let before_v20 = 19;
        super::migrations().to_version(&mut c, before_v20).unwrap();
        c.execute_batch(
            "INSERT INTO contacts(id, name, created_at, updated_at) VALUES (7, 'Ada Lovelace', 1, 1);
             INSERT INTO contact_emails(email, contact_id) VALUES ('ada@example.com', 7);
             INSERT INTO items(id, kind, num, title, description, stage, channel, contact_id, created_by, created_at,
               updated_by, updated_at) VALUES (1, 'conversation', 1, 'Card swallowed', 'the ATM kept it', 'new',
               'email', 7, 'x', 1, 'x', 1);",
        )
        .unwrap();
        // V22 moves the index to a file of its own (see index_file's tests).
        super::migrations().to_version(&mut c, before_v20 + 2).unwrap();
        let hits = |q: &str| -> i64 {
            c.query_row("SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH ?1", [q], |r| r.get(0)).unwrap()
        };
        assert_eq!(hits("\"swallow\"* AND \"lovel\"*"), 1, "title and people in one row, as the list filter asks");
        assert_eq!(hits(&crate::store::fts::own_text("\"lovelace\"")), 0, "similar work reads what the item says");
        assert_eq!(hits(&crate::store::fts::own_text("\"atm\"")), 1);
        let old: i64 = c
            .query_row("SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('item_words', 'item_doc')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(old, 1, "item_words is gone; item_doc gives the columns");
        c.execute("DELETE FROM items WHERE id = 1", []).unwrap();
        assert_eq!(hits("\"card\""), 0, "a deleted item leaves the index");
    }
}

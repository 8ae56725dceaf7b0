//! The words an item is found by on SQLite (`item_doc`), read once for each item an import makes.

/// The people of an item without a list of their ids per item: the view read the contacts `IN` such a list, an
/// ephemeral table built for every item read (a third of the view's cost, 7 % of an import's writer thread). Now
/// the item's contact, then the others on it (one with two roles is named twice: the filter matches either way,
/// and similar work gives the people column no weight).
pub const V21: &str = r#"
DROP VIEW item_doc;
CREATE VIEW item_doc AS SELECT i.id AS id, i.title AS title, i.description AS description,
  COALESCE(a.name, '') || ' ' || COALESCE(m.login || ' ' || m.name, '')
  || ' ' || COALESCE((SELECT c.name || ' ' || COALESCE(
       (SELECT group_concat(e.email, ' ') FROM contact_emails e WHERE e.contact_id = c.id), '')
     FROM contacts c WHERE c.id = i.contact_id), '')
  || ' ' || COALESCE((SELECT group_concat(c.name || ' ' || COALESCE(
       (SELECT group_concat(e.email, ' ') FROM contact_emails e WHERE e.contact_id = c.id), ''), ' ')
     FROM item_contacts ic JOIN contacts c ON c.id = ic.contact_id
     WHERE ic.item_id = i.id AND ic.contact_id IS NOT i.contact_id), '') AS people
  FROM items i LEFT JOIN accounts a ON a.id = i.account_id LEFT JOIN members m ON m.id = i.owner_id;
"#;

/// The full-text index moves to a file of its own (`store::index_file`), made and filled when the database is next
/// opened. The database counts its writes that change what is indexed (`search_gen`, with a random number that tells
/// this database from another that was at the same path), and an item deleted is noted for the index to drop.
pub const V22: &str = r#"
DROP TRIGGER item_words_del;
DROP TABLE items_vocab;
DROP TABLE items_fts;
DROP TABLE messages_fts;
CREATE TABLE search_gen(id INTEGER PRIMARY KEY CHECK (id = 1), db INTEGER NOT NULL, gen INTEGER NOT NULL);
INSERT INTO search_gen(id, db, gen) VALUES (1, random(), 0);
CREATE TRIGGER item_words_del AFTER DELETE ON items BEGIN
  INSERT OR REPLACE INTO item_words_stale(item_id, fresh) VALUES (old.id, 0);
END;
"#;

#[cfg(test)]
mod tests {
    #[test]
    fn people_are_the_contact_and_everyone_else_on_the_item() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::schema::migrations().to_latest(&mut c).unwrap();
        c.execute_batch(
            "INSERT INTO accounts(id, name, created_at, updated_at) VALUES (3, 'Northwind', 1, 1);
             INSERT INTO contacts(id, name, created_at, updated_at) VALUES (7, 'Ada Lovelace', 1, 1),
               (8, 'Charles Babbage', 1, 1), (9, 'Nobody Here', 1, 1);
             INSERT INTO contact_emails(email, contact_id) VALUES ('ada@example.com', 7), ('ada@home.example', 7),
               ('cb@example.com', 8);
             INSERT INTO items(id, kind, num, title, description, stage, channel, contact_id, account_id, created_by,
               created_at, updated_by, updated_at) VALUES (1, 'conversation', 1, 'Card swallowed', 'the ATM kept it',
               'new', 'email', 7, 3, 'x', 1, 'x', 1);
             INSERT INTO item_contacts(item_id, contact_id, role) VALUES (1, 7, 'reported_by'), (1, 7, 'email_member'),
               (1, 8, 'email_member');",
        )
        .unwrap();
        let people: String = c.query_row("SELECT people FROM item_doc WHERE id = 1", [], |r| r.get(0)).unwrap();
        let words: Vec<&str> = people.split_whitespace().collect();
        assert_eq!(
            words,
            [
                "Northwind",
                "Ada",
                "Lovelace",
                "ada@example.com",
                "ada@home.example",
                "Charles",
                "Babbage",
                "cb@example.com"
            ]
        );
    }
}

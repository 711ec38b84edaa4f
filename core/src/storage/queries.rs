//! The storage modules' SQL statements: written in `sql/queries/<module>.sql`, shipped deflated (`core/build.rs`,
//! about a fifth of their bytes in the phone library) and inflated on first use. A module runs its statement `x` as
//! `sql(q::X)`.
//!
//! A query file holds entries, each from a `-- name: x` line (a statement, constant `q::X`) or a `-- fragment: x` line
//! (part of other statements) to the next such line; what comes before the first is the file's description. As in a
//! Rust string, a line ending in a backslash goes on with the next without that line's leading whitespace, so each
//! statement is exactly the text SQLite gets; any other line break is part of the text. `{x}` in a statement stands for
//! the text of fragment `x`.
//!
//! [`sql`] gives the same `&'static str` every time, so rusqlite's statement cache (keyed on the text) works as it
//! would on a literal.

use std::sync::OnceLock;

/// A statement of the query files: where it lies in their inflated text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Query {
    start: usize,
    end: usize,
}

/// A constant per statement, named as in the query files (in capitals).
pub(crate) mod q {
    use super::Query;

    include!(concat!(env!("OUT_DIR"), "/queries.rs"));
}

/// The text of a statement. Text that does not inflate is a build defect the tests catch; it reads as empty.
pub(crate) fn sql(query: Query) -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    let text = TEXT.get_or_init(|| crate::shipped::text(include_bytes!(concat!(env!("OUT_DIR"), "/queries.sql.z"))));
    text.get(query.start..query.end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{q, sql};

    /// Every statement prepares against a fresh database of the current schema: a mistake in a query file fails
    /// here rather than on a phone.
    #[test]
    fn every_statement_prepares_on_the_current_schema() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        super::super::migrations::migrate(&tx, 0).unwrap();
        tx.commit().unwrap();
        assert!(q::ALL.len() > 150, "{} statements", q::ALL.len());
        for (name, query) in q::ALL {
            let text = sql(*query);
            assert!(!text.trim().is_empty(), "{name} is empty");
            if let Err(e) = conn.prepare(text) {
                panic!("{name} does not prepare: {e}\n{text}");
            }
        }
    }
}

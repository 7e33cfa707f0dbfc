//! Persistence for Plateau: schema, migrations and tenant-scoped repositories, one implementation
//! per backend (SQLite embedded, PostgreSQL for several nodes), one contract test for both.
#![warn(missing_docs)]

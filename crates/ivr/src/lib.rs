//! Interactive voice menus: flow definitions, validation with line numbers, and the interpreter.
//!
//! Sans-IO and deterministic: the interpreter is driven by events (digits, prompt ended, timer
//! fired) carrying `now`, and returns actions (play, collect, queue, hang up) for the server.
#![warn(missing_docs)]

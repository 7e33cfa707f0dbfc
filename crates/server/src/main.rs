//! The `plateau` command: the contact-center server and its tools.

fn main() {}

//! Reading YAML mappings: named entries, duplicates, and fields nobody asked for.

use crate::error::{FlowError, Position};
use crate::suggest;
use crate::yaml::{Value, Yaml};

/// One entry of a mapping whose key is a scalar.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'y> {
    pub name: &'y str,
    pub key: &'y Yaml,
    pub value: &'y Yaml,
}

/// The entries of a mapping, reporting keys that are not plain names and keys given twice
/// (`what` names the entries in messages: "field", "node", "option").
///
/// Returns `None` (and reports why) when `y` is not a mapping.
pub(crate) fn entries<'y>(
    y: &'y Yaml,
    what: &str,
    owner: &str,
    errors: &mut Vec<FlowError>,
) -> Option<Vec<Entry<'y>>> {
    let Value::Mapping(pairs) = &y.value else {
        return None;
    };
    let mut seen: Vec<Entry<'y>> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        let Some(name) = key.scalar() else {
            errors.push(FlowError::at(
                key.pos,
                format!(
                    "{what} names in {owner} must be single values, not {}",
                    key.shape()
                ),
            ));
            continue;
        };
        if let Some(first) = seen.iter().find(|e| e.name == name) {
            errors.push(FlowError::at(
                key.pos,
                format!(
                    "{what} \"{name}\" appears twice in {owner} (first on line {})",
                    first.key.pos.line
                ),
            ));
            continue;
        }
        seen.push(Entry { name, key, value });
    }
    Some(seen)
}

/// The fields of one mapping with a fixed set of field names, read one by one.
///
/// Each field is taken at most once; `finish` reports the ones nobody took, with a suggestion
/// drawn from the names that were asked for.
#[derive(Debug)]
pub(crate) struct Fields<'y> {
    owner: String,
    at: Position,
    entries: Vec<(Entry<'y>, bool)>,
    asked: Vec<&'static str>,
}

impl<'y> Fields<'y> {
    /// Fields of `y`, which must be a mapping; `owner` names it in messages ("the flow",
    /// "node \"main\""), `at` is where a missing field is reported.
    pub fn read(
        y: &'y Yaml,
        owner: impl Into<String>,
        at: Position,
        errors: &mut Vec<FlowError>,
    ) -> Option<Self> {
        let owner = owner.into();
        let entries = entries(y, "field", &owner, errors);
        let Some(entries) = entries else {
            // Nothing written has no position of its own worth showing; the key has.
            let pos = if y.is_null() { at } else { y.pos };
            errors.push(FlowError::at(
                pos,
                format!("{owner} must be a mapping of fields, not {}", y.shape()),
            ));
            return None;
        };
        Some(Fields {
            owner,
            at,
            entries: entries.into_iter().map(|e| (e, false)).collect(),
            asked: Vec::new(),
        })
    }

    /// Renames the mapping in later messages, once more is known about it.
    pub fn rename(&mut self, owner: impl Into<String>) {
        self.owner = owner.into();
    }

    /// The field `name` if present.
    pub fn take(&mut self, name: &'static str) -> Option<&'y Yaml> {
        self.take_entry(name).map(|e| e.value)
    }

    /// The field `name` with its key, if present.
    pub fn take_entry(&mut self, name: &'static str) -> Option<Entry<'y>> {
        self.asked.push(name);
        let (entry, taken) = self.entries.iter_mut().find(|(e, _)| e.name == name)?;
        *taken = true;
        Some(*entry)
    }

    /// The field `name`, reporting it missing when absent.
    pub fn require(&mut self, name: &'static str, errors: &mut Vec<FlowError>) -> Option<&'y Yaml> {
        let value = self.take(name);
        if value.is_none() {
            errors.push(FlowError::at(
                self.at,
                format!("{} is missing \"{name}\"", self.owner),
            ));
        }
        value
    }

    /// Fields not taken yet, in file order, for callers that interpret unknown keys
    /// themselves (a node's kind). Marks them taken.
    pub fn take_rest(&mut self) -> Vec<Entry<'y>> {
        self.entries
            .iter_mut()
            .filter(|(_, taken)| !*taken)
            .map(|(e, taken)| {
                *taken = true;
                *e
            })
            .collect()
    }

    /// Reports every field that was not taken.
    pub fn finish(self, errors: &mut Vec<FlowError>) {
        for (entry, taken) in &self.entries {
            if !taken {
                errors.push(FlowError::at(
                    entry.key.pos,
                    format!(
                        "unknown field \"{}\" in {}{}",
                        entry.name,
                        self.owner,
                        suggest::hint(entry.name, self.asked.iter().copied())
                    ),
                ));
            }
        }
    }
}

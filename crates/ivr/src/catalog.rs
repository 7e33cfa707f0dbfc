//! What a flow may refer to outside itself: recorded prompts per language, and queues.
//!
//! The loader asks a [`Catalog`] so that a flow naming a prompt nobody recorded, or a queue that
//! does not exist, is refused at load rather than discovered by a caller.

use std::collections::{BTreeMap, BTreeSet};

/// Answers whether names used by a flow exist.
pub trait Catalog {
    /// Whether a prompt called `prompt` is recorded in `language`.
    fn has_prompt(&self, language: &str, prompt: &str) -> bool;
    /// Whether a queue called `queue` exists.
    fn has_queue(&self, queue: &str) -> bool;
}

/// A catalog that knows every name: for checking a flow's shape alone (simulation, editors).
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyNames;

impl Catalog for AnyNames {
    fn has_prompt(&self, _language: &str, _prompt: &str) -> bool {
        true
    }

    fn has_queue(&self, _queue: &str) -> bool {
        true
    }
}

/// A catalog from explicit lists of names.
///
/// ```
/// use ivr::KnownNames;
/// let known = KnownNames::new()
///     .with_prompts("en", ["welcome", "menu"])
///     .with_queues(["sales"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct KnownNames {
    prompts: BTreeMap<String, BTreeSet<String>>,
    queues: BTreeSet<String>,
}

impl KnownNames {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds prompts recorded in `language`.
    pub fn with_prompts<S: Into<String>>(
        mut self,
        language: &str,
        prompts: impl IntoIterator<Item = S>,
    ) -> Self {
        self.prompts
            .entry(language.to_owned())
            .or_default()
            .extend(prompts.into_iter().map(Into::into));
        self
    }

    /// Adds queues.
    pub fn with_queues<S: Into<String>>(mut self, queues: impl IntoIterator<Item = S>) -> Self {
        self.queues.extend(queues.into_iter().map(Into::into));
        self
    }
}

impl Catalog for KnownNames {
    fn has_prompt(&self, language: &str, prompt: &str) -> bool {
        self.prompts
            .get(language)
            .is_some_and(|names| names.contains(prompt))
    }

    fn has_queue(&self, queue: &str) -> bool {
        self.queues.contains(queue)
    }
}

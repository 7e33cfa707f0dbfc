//! Skills and required skills: who may take a contact, and how the requirement widens with the
//! wait.
//!
//! An agent carries skills with a proficiency from 1 to 10 (`language:fr` → 8, `tier` → 2). A
//! contact requires skills at minimum levels: its own (set by the IVR or a CRM look-up) merged
//! with its queue's (the higher level wins). A queue's [`Relaxation`]s lower those levels as the
//! wait grows, so the ring of candidates widens (Genesys calls it bullseye routing): "after 30 s
//! `tier` needs only level 1, after 60 s any member will do". An agent *qualifies* when each
//! required skill is at or above the level in force.

use std::collections::BTreeMap;
use std::time::Duration;

/// Skill name → proficiency (agents) or minimum level (requirements), 1 to 10.
pub type Skills = BTreeMap<String, u8>;

/// The lowest proficiency a skill can have.
pub const MIN_LEVEL: u8 = 1;
/// The highest proficiency a skill can have.
pub const MAX_LEVEL: u8 = 10;

/// One step of a queue's widening ring: once a contact has waited `after`, the minimum level of
/// `skill` (or of every skill, when `None`) is at most `level`; 0 drops the requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relaxation {
    /// Wait (from entering the first queue) after which the step applies.
    pub after: Duration,
    /// The skill relaxed; `None` relaxes every required skill.
    pub skill: Option<String>,
    /// The highest minimum level left in force; 0 removes the requirement.
    pub level: u8,
}

impl Relaxation {
    /// A step relaxing one skill.
    pub fn skill(after: Duration, skill: impl Into<String>, level: u8) -> Self {
        Self {
            after,
            skill: Some(skill.into()),
            level,
        }
    }

    /// A step dropping every requirement: any member of the queue qualifies.
    pub fn any_agent(after: Duration) -> Self {
        Self {
            after,
            skill: None,
            level: 0,
        }
    }
}

/// Whether every level is a valid proficiency (1 to 10).
pub(crate) fn levels_are_valid(skills: &Skills) -> bool {
    skills.values().all(|l| (MIN_LEVEL..=MAX_LEVEL).contains(l))
}

/// The contact's own requirements merged with the queue's: the higher level wins.
pub(crate) fn merge(own: &Skills, queue: &Skills) -> Skills {
    let mut merged = queue.clone();
    for (skill, level) in own {
        let entry = merged.entry(skill.clone()).or_insert(*level);
        *entry = (*entry).max(*level);
    }
    merged
}

/// The requirements in force after `waited`: every relaxation step already reached caps the
/// levels it names; a level capped to 0 is dropped.
pub(crate) fn in_force(required: &Skills, steps: &[Relaxation], waited: Duration) -> Skills {
    let mut skills = required.clone();
    for step in steps.iter().filter(|s| s.after <= waited) {
        skills.retain(|name, level| {
            if step.skill.as_deref().is_none_or(|s| s == name) {
                *level = (*level).min(step.level);
            }
            *level > 0
        });
    }
    skills
}

/// The first relaxation step still to come after `waited` that changes something, i.e. when
/// the requirements must be looked at again.
pub(crate) fn next_step(steps: &[Relaxation], waited: Duration) -> Option<Duration> {
    steps
        .iter()
        .map(|s| s.after)
        .filter(|after| *after > waited)
        .min()
}

/// Whether an agent with `skills` meets every requirement.
pub fn qualifies(skills: &Skills, required: &Skills) -> bool {
    required
        .iter()
        .all(|(name, min)| skills.get(name).is_some_and(|l| l >= min))
}

/// How well an agent matches: the sum of their levels in the required skills (higher is
/// better). Best-skill-match routing ranks qualified agents by it.
pub fn match_score(skills: &Skills, required: &Skills) -> u32 {
    required
        .keys()
        .filter_map(|name| skills.get(name))
        .map(|l| u32::from(*l))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skills(pairs: &[(&str, u8)]) -> Skills {
        pairs.iter().map(|(s, l)| ((*s).to_owned(), *l)).collect()
    }

    #[test]
    fn an_agent_qualifies_at_or_above_every_level() {
        let agent = skills(&[("language:fr", 8), ("tier", 2)]);
        assert!(qualifies(&agent, &skills(&[("language:fr", 8)])));
        assert!(qualifies(
            &agent,
            &skills(&[("language:fr", 5), ("tier", 2)])
        ));
        assert!(!qualifies(&agent, &skills(&[("tier", 3)])));
        assert!(!qualifies(&agent, &skills(&[("product:billing", 1)])));
        assert!(qualifies(&agent, &Skills::new()));
    }

    #[test]
    fn merged_requirements_keep_the_higher_level() {
        let merged = merge(
            &skills(&[("tier", 3), ("language:fr", 5)]),
            &skills(&[("tier", 2), ("product:billing", 4)]),
        );
        assert_eq!(
            merged,
            skills(&[("language:fr", 5), ("product:billing", 4), ("tier", 3)])
        );
    }

    #[test]
    fn relaxation_steps_apply_once_reached() {
        let required = skills(&[("language:fr", 5), ("tier", 3)]);
        let steps = [
            Relaxation::skill(Duration::from_secs(30), "tier", 1),
            Relaxation::any_agent(Duration::from_secs(60)),
        ];
        assert_eq!(
            in_force(&required, &steps, Duration::from_secs(29)),
            required
        );
        assert_eq!(
            in_force(&required, &steps, Duration::from_secs(30)),
            skills(&[("language:fr", 5), ("tier", 1)])
        );
        assert!(in_force(&required, &steps, Duration::from_secs(60)).is_empty());
    }

    #[test]
    fn next_step_is_the_first_still_to_come() {
        let steps = [
            Relaxation::any_agent(Duration::from_secs(60)),
            Relaxation::skill(Duration::from_secs(30), "tier", 1),
        ];
        assert_eq!(
            next_step(&steps, Duration::ZERO),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            next_step(&steps, Duration::from_secs(30)),
            Some(Duration::from_secs(60))
        );
        assert_eq!(next_step(&steps, Duration::from_secs(60)), None);
    }

    #[test]
    fn match_score_sums_levels_in_required_skills_only() {
        let agent = skills(&[("language:fr", 8), ("tier", 2), ("sales", 9)]);
        assert_eq!(
            match_score(&agent, &skills(&[("language:fr", 1), ("tier", 1)])),
            10
        );
    }

    #[test]
    fn levels_outside_one_to_ten_are_invalid() {
        assert!(levels_are_valid(&skills(&[("a", 1), ("b", 10)])));
        assert!(!levels_are_valid(&skills(&[("a", 0)])));
        assert!(!levels_are_valid(&skills(&[("a", 11)])));
    }
}

//! Media direction attributes (RFC 3264 §5.1, §6.1): `sendrecv`, `sendonly`, `recvonly`,
//! `inactive`, and what they become in an answer and on hold.

use super::Attribute;

/// Which way media flows, from the point of view of the side that wrote the description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Both ways (the default when no attribute is present).
    #[default]
    SendRecv,
    /// This side sends only (it puts the other on hold).
    SendOnly,
    /// This side receives only.
    RecvOnly,
    /// No media either way.
    Inactive,
}

impl Direction {
    /// The direction from flags.
    pub fn from_flags(sends: bool, receives: bool) -> Direction {
        match (sends, receives) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// Whether this side sends.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether this side receives.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    /// The same flow seen from the other side: `sendonly` ↔ `recvonly`.
    pub fn reversed(self) -> Direction {
        Direction::from_flags(self.receives(), self.sends())
    }

    /// What we may use in an answer to an offer with direction `self`, given what we want:
    /// we send only if the offerer receives, and receive only if it sends (RFC 3264 §6.1).
    pub fn answer(self, wanted: Direction) -> Direction {
        Direction::from_flags(
            self.receives() && wanted.sends(),
            self.sends() && wanted.receives(),
        )
    }

    /// The direction for putting the other side on hold (RFC 6337 §5.3): stop receiving,
    /// keep sending (music on hold): `sendrecv` → `sendonly`, `recvonly` → `inactive`.
    pub fn held(self) -> Direction {
        Direction::from_flags(self.sends(), false)
    }

    /// The direction when taking the other side off hold: receiving again.
    pub fn resumed(self) -> Direction {
        Direction::from_flags(self.sends(), true)
    }

    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction stated by the last direction attribute of a list, if any.
    pub(crate) fn from_attributes(attributes: &[Attribute]) -> Option<Direction> {
        attributes.iter().rev().find_map(|a| {
            if a.value.is_some() {
                return None;
            }
            [
                Direction::SendRecv,
                Direction::SendOnly,
                Direction::RecvOnly,
                Direction::Inactive,
            ]
            .into_iter()
            .find(|d| a.name.eq_ignore_ascii_case(d.as_str()))
        })
    }

    /// The property attribute for this direction.
    pub fn attribute(self) -> Attribute {
        Attribute::property(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_to_sendonly_is_recvonly() {
        assert_eq!(
            Direction::SendOnly.answer(Direction::SendRecv),
            Direction::RecvOnly
        );
        assert_eq!(
            Direction::RecvOnly.answer(Direction::SendRecv),
            Direction::SendOnly
        );
        assert_eq!(
            Direction::Inactive.answer(Direction::SendRecv),
            Direction::Inactive
        );
        assert_eq!(
            Direction::SendRecv.answer(Direction::SendRecv),
            Direction::SendRecv
        );
    }

    #[test]
    fn our_own_hold_limits_the_answer() {
        assert_eq!(
            Direction::SendRecv.answer(Direction::SendOnly),
            Direction::SendOnly
        );
        assert_eq!(
            Direction::SendOnly.answer(Direction::SendOnly),
            Direction::Inactive
        );
    }

    #[test]
    fn hold_and_resume_toggle_receiving() {
        assert_eq!(Direction::SendRecv.held(), Direction::SendOnly);
        assert_eq!(Direction::RecvOnly.held(), Direction::Inactive);
        assert_eq!(Direction::SendOnly.resumed(), Direction::SendRecv);
        assert_eq!(Direction::Inactive.resumed(), Direction::RecvOnly);
    }
}

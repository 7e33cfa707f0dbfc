//! Enums stored as text (roles, transports, event kinds...): one macro gives each its stored
//! names, `ALL`, `Display` and `FromStr`, so a name is written once.

/// `text_enum!(Type, "what", Variant => "name", ...)` for an enum declared beside it.
macro_rules! text_enum {
    ($ty:ident, $what:literal, $($variant:ident => $text:literal),+ $(,)?) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::error::Error;

            fn from_str(s: &str) -> crate::error::Result<Self> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    _ => Err(crate::error::Error::invalid($what, format!("unknown value {s:?}"))),
                }
            }
        }
    };
}

pub(crate) use text_enum;

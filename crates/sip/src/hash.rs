//! The hasher of the crate's hot maps whose keys the network cannot choose: transactions by
//! the key the layer assigned (a counter), nonce counts by nonce (only nonces whose MAC proved
//! we issued them are stored).
//!
//! `std`'s SipHash showed up in REGISTER profiles; `ahash` is several times faster on short
//! keys. It runs here with fixed seeds (the crate is sans-IO and draws no randomness), which is
//! safe only because a peer cannot pick these keys to make them collide. Maps keyed by what a
//! peer sends (branches, Call-IDs, tags) keep `std`'s randomly keyed SipHash.

use std::collections::HashMap;

/// A map for keys the network cannot choose (see the module doc).
pub(crate) type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// An empty [`FastMap`].
pub(crate) fn fast_map<K, V>() -> FastMap<K, V> {
    HashMap::with_hasher(ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    ))
}

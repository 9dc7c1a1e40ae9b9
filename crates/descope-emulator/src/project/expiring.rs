//! A map of short-lived entries that expire in time order, capped in size.
//!
//! Beside the map, an index ordered by expiry lets a sweep pop only the entries that have
//! expired (O(log n) each) instead of scanning all of them, and lets a full map evict the
//! entry closest to expiry (the oldest, as the entries of one map share a lifetime).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// An entry's expiry, in unix seconds.
pub(crate) trait Expires {
    fn exp(&self) -> i64;
}

/// At most `CAP` entries keyed by random one-time identifiers.
///
/// An entry's place in the expiry order is fixed when it is inserted: to change `exp`,
/// insert it again.
pub(crate) struct Expiring<V, const CAP: usize> {
    entries: HashMap<Arc<str>, Slot<V>>,
    /// `(exp, insertion number)` → key; the insertion number keeps equal expiries apart.
    order: BTreeMap<(i64, u64), Arc<str>>,
    inserted: u64,
}

/// Boxed: the table keeps spare slots (up to half of it after growing), so they are kept
/// small.
struct Slot<V> {
    value: Box<V>,
    at: (i64, u64),
}

impl<V, const CAP: usize> Default for Expiring<V, CAP> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            inserted: 0,
        }
    }
}

impl<V: Expires, const CAP: usize> Expiring<V, CAP> {
    /// Inserts (or replaces) an entry; when full, the entry closest to expiry makes room.
    /// Returns the replaced value.
    pub(crate) fn insert(&mut self, key: String, value: V) -> Option<V> {
        let old = self.remove(&key);
        if self.entries.len() >= CAP {
            self.pop_first();
        }
        let at = (value.exp(), self.inserted);
        self.inserted += 1;
        let key: Arc<str> = Arc::from(key);
        self.order.insert(at, Arc::clone(&key));
        let value = Box::new(value);
        self.entries.insert(key, Slot { value, at });
        old
    }
}

impl<V, const CAP: usize> Expiring<V, CAP> {
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.entries.get(key).map(|s| &*s.value)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.entries.get_mut(key).map(|s| &mut *s.value)
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let slot = self.entries.remove(key)?;
        self.order.remove(&slot.at);
        Some(*slot.value)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values().map(|s| &*s.value)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.values_mut().map(|s| &mut *s.value)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Drops the entries with `exp <= now`; touches nothing else.
    pub(crate) fn sweep(&mut self, now: i64) {
        while self
            .order
            .first_key_value()
            .is_some_and(|((exp, _), _)| *exp <= now)
        {
            self.pop_first();
        }
    }

    fn pop_first(&mut self) {
        if let Some((_, key)) = self.order.pop_first() {
            self.entries.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Entry(i64);

    impl Expires for Entry {
        fn exp(&self) -> i64 {
            self.0
        }
    }

    fn keys<const CAP: usize>(map: &Expiring<Entry, CAP>) -> Vec<String> {
        let mut keys: Vec<String> = map.entries.keys().map(|k| k.to_string()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn sweep_drops_only_the_expired_in_any_insertion_order() {
        let mut map = Expiring::<Entry, 10>::default();
        for (key, exp) in [("c", 30), ("a", 10), ("d", 40), ("b", 20), ("b2", 20)] {
            map.insert(key.to_owned(), Entry(exp));
        }
        map.sweep(20);
        assert_eq!(keys(&map), ["c", "d"]);
        assert_eq!(map.order.len(), 2);
        map.sweep(100);
        assert_eq!(map.len(), 0);
        assert!(map.order.is_empty());
    }

    #[test]
    fn a_full_map_evicts_the_entry_closest_to_expiry() {
        let mut map = Expiring::<Entry, 3>::default();
        map.insert("late".to_owned(), Entry(50));
        map.insert("soon".to_owned(), Entry(10));
        map.insert("mid".to_owned(), Entry(30));
        map.insert("new".to_owned(), Entry(60));
        assert_eq!(keys(&map), ["late", "mid", "new"]);
        map.insert("newer".to_owned(), Entry(60));
        assert_eq!(keys(&map), ["late", "new", "newer"]);
        assert_eq!(map.order.len(), 3);
    }

    #[test]
    fn replacing_and_removing_keep_the_index_in_step() {
        let mut map = Expiring::<Entry, 3>::default();
        map.insert("a".to_owned(), Entry(10));
        // Replaced with a later expiry: it no longer expires at 10, and a full map does
        // not evict it for being "oldest".
        assert!(
            map.insert("a".to_owned(), Entry(100))
                .is_some_and(|e| e.0 == 10)
        );
        map.sweep(50);
        assert_eq!(keys(&map), ["a"]);
        map.insert("b".to_owned(), Entry(60));
        map.insert("c".to_owned(), Entry(70));
        map.insert("d".to_owned(), Entry(80));
        assert_eq!(keys(&map), ["a", "c", "d"]);
        assert!(map.remove("c").is_some());
        assert!(map.remove("c").is_none());
        assert_eq!(map.order.len(), map.len());
        assert_eq!(map.get("d").map(|e| e.0), Some(80));
    }
}

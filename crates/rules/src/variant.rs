//! One text variant of a template as a persistent list of segments.
//!
//! Continuing a variant, or joining two, adds one link and shares everything before it.
//! Copying instead made every `{% if %}`, `{% for %}` and `{% include %}` cost the length
//! of the text before it, so a template of many small blocks took quadratic time.

use std::rc::Rc;

/// A sequence of `T`, shared with the variants it was continued from.
pub struct Variant<T>(Option<Rc<Link<T>>>);

struct Link<T> {
    before: Variant<T>,
    item: Item<T>,
}

enum Item<T> {
    One(T),
    /// A whole other variant, read after `before`.
    Joined(Variant<T>),
}

impl<T> Variant<T> {
    pub fn new() -> Self {
        Variant(None)
    }

    pub fn push(&mut self, item: T) {
        let before = Variant(self.0.take());
        self.0 = Some(Rc::new(Link {
            before,
            item: Item::One(item),
        }));
    }

    /// This variant followed by `next`.
    pub fn then(&self, next: &Variant<T>) -> Variant<T> {
        if next.0.is_none() {
            return self.clone();
        }
        if self.0.is_none() {
            return next.clone();
        }
        Variant(Some(Rc::new(Link {
            before: self.clone(),
            item: Item::Joined(next.clone()),
        })))
    }
}

impl<T: Copy> Variant<T> {
    /// The segments in order. Iterative: a variant can be millions of links long.
    pub fn items(&self) -> Vec<T> {
        let mut reversed = Vec::new();
        let mut todo: Vec<&Variant<T>> = vec![self];
        while let Some(v) = todo.pop() {
            let Some(link) = &v.0 else { continue };
            match &link.item {
                Item::One(t) => {
                    reversed.push(*t);
                    todo.push(&link.before);
                }
                // Reading backwards: all of the joined part, then what came before it.
                Item::Joined(next) => {
                    todo.push(&link.before);
                    todo.push(next);
                }
            }
        }
        reversed.reverse();
        reversed
    }
}

impl<T> Default for Variant<T> {
    fn default() -> Self {
        Variant::new()
    }
}

impl<T> Clone for Variant<T> {
    fn clone(&self) -> Self {
        Variant(self.0.clone())
    }
}

impl<T> Drop for Variant<T> {
    /// Unlinks the list one link at a time: the default recursive drop would overflow the
    /// stack on a long variant.
    fn drop(&mut self) {
        let mut todo: Vec<Rc<Link<T>>> = self.0.take().into_iter().collect();
        while let Some(rc) = todo.pop() {
            if let Ok(mut link) = Rc::try_unwrap(rc) {
                todo.extend(link.before.0.take());
                if let Item::Joined(next) = &mut link.item {
                    todo.extend(next.0.take());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Variant;

    #[test]
    fn push_and_then_keep_order_and_share() {
        let mut a = Variant::new();
        a.push(1);
        a.push(2);
        let mut b = Variant::new();
        b.push(3);
        let ab = a.then(&b);
        let mut ab4 = ab.clone();
        ab4.push(4);
        let aba = ab.then(&a);
        assert_eq!(a.items(), vec![1, 2]);
        assert_eq!(ab.items(), vec![1, 2, 3]);
        assert_eq!(ab4.items(), vec![1, 2, 3, 4]);
        assert_eq!(aba.items(), vec![1, 2, 3, 1, 2]);
        assert_eq!(Variant::<u8>::new().then(&b).items(), vec![3]);
        assert_eq!(b.then(&Variant::new()).items(), vec![3]);
    }

    #[test]
    fn long_variants_read_and_drop_without_recursion() {
        let mut v = Variant::new();
        let mut other = Variant::new();
        for i in 0..2_000_000u32 {
            v.push(i);
            if i % 2 == 0 {
                other = other.then(&v);
            }
        }
        let items = v.items();
        assert_eq!(items.len(), 2_000_000);
        assert!(items.windows(2).all(|w| w[0] + 1 == w[1]));
        drop(v);
        drop(other);
    }
}

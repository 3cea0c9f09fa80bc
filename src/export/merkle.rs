//! The Merkle tree over the sorted receipt ids (RFC 6962's tree shape with
//! domain-separated hashing), and inclusion proofs.
//!
//! - leaf hash: `SHA-256(0x00 ‖ receipt id as ASCII, e.g. "ABCD-EFGH-JKMN-PQRS")`
//! - node hash: `SHA-256(0x01 ‖ left ‖ right)`
//! - the root of n leaves splits at k, the largest power of two below n:
//!   `MTH(D[0:n]) = node(MTH(D[0:k]), MTH(D[k:n]))`; one leaf is its leaf
//!   hash; the empty tree is `SHA-256("")`.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(receipt: &str) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(receipt.as_bytes());
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest(b"").into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// The root over receipt ids (in the order given: sorted, in the export).
pub fn root(receipts: &[String]) -> Hash {
    let leaves: Vec<Hash> = receipts.iter().map(|r| leaf_hash(r)).collect();
    root_of(&leaves)
}

/// The root computed in one pass: leaves pushed in order, a stack of the
/// roots of perfect subtrees, folded right to left at the end (the same
/// root as `root`, in memory logarithmic in the number of leaves).
#[derive(Debug, Default, Clone)]
pub struct RootBuilder {
    /// (number of leaves, root) of each perfect subtree, largest first.
    stack: Vec<(u64, Hash)>,
}

impl RootBuilder {
    pub fn push(&mut self, receipt: &str) {
        let mut top = (1u64, leaf_hash(receipt));
        while let Some(&(size, left)) = self.stack.last() {
            if size != top.0 {
                break;
            }
            self.stack.pop();
            top = (size * 2, node_hash(&left, &top.1));
        }
        self.stack.push(top);
    }

    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        match iter.next() {
            None => Sha256::digest(b"").into(),
            Some(&(_, last)) => iter.fold(last, |acc, (_, left)| node_hash(left, &acc)),
        }
    }
}

/// One step of an inclusion path: the sibling hash and which side it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub sibling: Hash,
    pub sibling_on_left: bool,
}

/// The inclusion path of leaf `index`, from the leaf up.
pub fn inclusion_path(receipts: &[String], index: usize) -> Vec<Step> {
    let leaves: Vec<Hash> = receipts.iter().map(|r| leaf_hash(r)).collect();
    let mut path = Vec::new();
    path_of(&leaves, index, &mut path);
    path
}

fn path_of(leaves: &[Hash], index: usize, out: &mut Vec<Step>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if index < k {
        path_of(&leaves[..k], index, out);
        out.push(Step {
            sibling: root_of(&leaves[k..]),
            sibling_on_left: false,
        });
    } else {
        path_of(&leaves[k..], index - k, out);
        out.push(Step {
            sibling: root_of(&leaves[..k]),
            sibling_on_left: true,
        });
    }
}

/// The inclusion path of one leaf, built in one pass over the leaves (as
/// `receipt verify` reads a file's receipts): the roots of perfect
/// subtrees on a stack, as `RootBuilder` keeps them, each marked if it
/// holds the leaf sought. A merge of two subtrees where one holds it
/// records the other as a step; at the end the stack is folded as
/// `RootBuilder::root` folds it, recording the right part's root and then
/// each left subtree. The same path as `inclusion_path`, in memory
/// logarithmic in the number of leaves (no list of receipts is kept).
#[derive(Debug, Default, Clone)]
pub struct PathBuilder {
    /// (number of leaves, root, holds the leaf sought), largest first.
    stack: Vec<(u64, Hash, bool)>,
    steps: Vec<Step>,
    leaves: u64,
    index: Option<u64>,
}

impl PathBuilder {
    /// Adds the next leaf; `sought` marks the leaf whose path is built
    /// (the first so marked).
    pub fn push(&mut self, receipt: &str, sought: bool) {
        let sought = sought && self.index.is_none();
        if sought {
            self.index = Some(self.leaves);
        }
        self.leaves += 1;
        let mut top = (1u64, leaf_hash(receipt), sought);
        while let Some(&(size, left, left_holds)) = self.stack.last() {
            if size != top.0 {
                break;
            }
            self.stack.pop();
            if left_holds {
                self.steps.push(Step {
                    sibling: top.1,
                    sibling_on_left: false,
                });
            } else if top.2 {
                self.steps.push(Step {
                    sibling: left,
                    sibling_on_left: true,
                });
            }
            top = (size * 2, node_hash(&left, &top.1), left_holds || top.2);
        }
        self.stack.push(top);
    }

    /// The leaf's index and its path (leaf to root), if it was pushed.
    pub fn finish(mut self) -> Option<(u64, Vec<Step>)> {
        let index = self.index?;
        let at = self.stack.iter().position(|e| e.2)?;
        let right = self.stack[at + 1..]
            .iter()
            .rev()
            .fold(None, |acc: Option<Hash>, e| {
                Some(match acc {
                    None => e.1,
                    Some(acc) => node_hash(&e.1, &acc),
                })
            });
        if let Some(sibling) = right {
            self.steps.push(Step {
                sibling,
                sibling_on_left: false,
            });
        }
        for e in self.stack[..at].iter().rev() {
            self.steps.push(Step {
                sibling: e.1,
                sibling_on_left: true,
            });
        }
        Some((index, self.steps))
    }
}

/// Recomputes the root from a receipt and its path.
pub fn root_from_path(receipt: &str, path: &[Step]) -> Hash {
    path.iter().fold(leaf_hash(receipt), |acc, step| {
        if step.sibling_on_left {
            node_hash(&step.sibling, &acc)
        } else {
            node_hash(&acc, &step.sibling)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_leaf_proves_inclusion_for_every_size() {
        for n in 1..=33 {
            let receipts: Vec<String> = (0..n).map(|i| format!("R{i:04}")).collect();
            let r = root(&receipts);
            for i in 0..n {
                let path = inclusion_path(&receipts, i);
                assert_eq!(root_from_path(&receipts[i], &path), r, "n={n} i={i}");
                assert_ne!(root_from_path("other", &path), r);
            }
        }
    }

    #[test]
    fn the_one_pass_root_is_the_root_for_every_size() {
        for n in 0..=70 {
            let receipts: Vec<String> = (0..n).map(|i| format!("R{i:04}")).collect();
            let mut b = RootBuilder::default();
            receipts.iter().for_each(|r| b.push(r));
            assert_eq!(b.root(), root(&receipts), "n={n}");
        }
    }

    /// The one-pass path is the path, for every leaf (first, middle,
    /// last) of every tree up to 70 leaves (odd sizes, powers of two and
    /// one past them), and of a larger odd tree at chosen leaves.
    #[test]
    fn the_one_pass_path_is_the_path_for_every_leaf() {
        let check = |receipts: &[String], i: usize| {
            let mut b = PathBuilder::default();
            receipts.iter().enumerate().for_each(|(j, r)| b.push(r, j == i));
            let (index, path) = b.finish().expect("found");
            assert_eq!(index, i as u64, "n={} i={i}", receipts.len());
            assert_eq!(path, inclusion_path(receipts, i), "n={} i={i}", receipts.len());
        };
        for n in 1..=70 {
            let receipts: Vec<String> = (0..n).map(|i| format!("R{i:04}")).collect();
            (0..n).for_each(|i| check(&receipts, i));
            // Not among the leaves: no path.
            let mut b = PathBuilder::default();
            receipts.iter().for_each(|r| b.push(r, false));
            assert!(b.finish().is_none());
        }
        let receipts: Vec<String> = (0..1001).map(|i| format!("R{i:04}")).collect();
        for i in [0, 1, 500, 511, 512, 999, 1000] {
            check(&receipts, i);
        }
        assert!(PathBuilder::default().finish().is_none(), "the empty tree");
    }

    #[test]
    fn leaves_and_nodes_cannot_be_confused() {
        // A two-leaf tree's root differs from a single leaf holding the same bytes.
        let two = root(&["a".into(), "b".into()]);
        assert_ne!(two, leaf_hash("ab"));
        assert_ne!(root(&[]), root(&["".into()]));
    }
}

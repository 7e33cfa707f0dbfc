//! Checks on the shape of a flow as a graph: every node reachable from the start, and no loop
//! that a silent caller would go round forever.
//!
//! A loop is only safe when leaving it depends on the caller pressing a key *and* the path
//! taken without a key press (prompt ends, jumps, a menu's failure branch) leads out. So the
//! loop check looks at the edges taken without input: any cycle among them is an error. This is
//! what guarantees that a call fed nothing but timeouts always ends in a queue or a hangup.

use crate::error::{FlowError, Position};
use crate::flow::{Dest, NodeId};

/// A link from one node to another, as found by the loader.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    pub from: NodeId,
    pub to: Dest,
    /// Taken only when the caller pressed something (a menu option).
    pub after_input: bool,
}

/// Reports unreachable nodes and loops without input. `nodes` gives each node's name and
/// position, indexed by `NodeId`.
pub(crate) fn check(
    nodes: &[(&str, Position)],
    start: NodeId,
    edges: &[Edge],
    errors: &mut Vec<FlowError>,
) {
    let all = successors(nodes.len(), edges, |_| true);
    let reached = reachable(&all, start.0);
    let start_name = nodes.get(start.0).map_or("", |n| n.0);
    for ((name, pos), reached) in nodes.iter().zip(&reached) {
        if !reached {
            errors.push(FlowError::at(
                *pos,
                format!("node \"{name}\" is never reached from the start node \"{start_name}\""),
            ));
        }
    }

    let silent = successors(nodes.len(), edges, |e| !e.after_input);
    for component in strongly_connected(&silent) {
        let Some(cycle) = cycle_through(&silent, &component) else {
            continue;
        };
        let Some(&first) = cycle.first() else {
            continue;
        };
        let path: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(&first))
            .filter_map(|&i| nodes.get(i).map(|n| format!("\"{}\"", n.0)))
            .collect();
        if let Some((_, pos)) = nodes.get(first) {
            errors.push(FlowError::at(
                *pos,
                format!(
                    "loop without input: a caller who presses nothing goes round {} forever",
                    path.join(" → ")
                ),
            ));
        }
    }
}

fn successors(n: usize, edges: &[Edge], keep: impl Fn(&Edge) -> bool) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); n];
    for edge in edges.iter().filter(|e| keep(e)) {
        if let (Dest::Node(to), Some(list)) = (edge.to, out.get_mut(edge.from.0))
            && to.0 < n
        {
            list.push(to.0);
        }
    }
    out
}

fn reachable(succ: &[Vec<usize>], start: usize) -> Vec<bool> {
    let mut seen = vec![false; succ.len()];
    let mut todo = vec![start];
    while let Some(v) = todo.pop() {
        match seen.get_mut(v) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        todo.extend(succ.get(v).into_iter().flatten());
    }
    seen
}

/// Tarjan's strongly connected components, iterative so a long chain of nodes cannot overflow
/// the stack. Components come out as sorted node lists.
fn strongly_connected(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = succ.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut components = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        // (node, how many of its successors were visited)
        let mut work = vec![(root, 0usize)];
        while let Some((v, child)) = work.last_mut() {
            let v = *v;
            if let Some(&w) = succ[v].get(*child) {
                *child += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                components.push(component);
            }
        }
    }
    components.sort();
    components
}

/// A cycle inside `component` starting at its first node, or `None` when the component is a
/// single node without a self-loop (no cycle at all).
fn cycle_through(succ: &[Vec<usize>], component: &[usize]) -> Option<Vec<usize>> {
    let &first = component.first()?;
    let inside = |v: usize| component.binary_search(&v).is_ok();
    // Breadth-first from `first` within the component, until an edge leads back to it.
    let mut parent: Vec<Option<usize>> = vec![None; succ.len()];
    let mut queue = std::collections::VecDeque::from([first]);
    while let Some(v) = queue.pop_front() {
        for &w in succ.get(v)? {
            if w == first {
                let mut path = vec![v];
                let mut at = v;
                while let Some(p) = parent[at] {
                    path.push(p);
                    at = p;
                }
                path.reverse();
                return Some(path);
            }
            if inside(w) && parent[w].is_none() {
                parent[w] = Some(v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[(usize, usize, bool)]) -> Vec<Edge> {
        list.iter()
            .map(|&(from, to, after_input)| Edge {
                from: NodeId(from),
                to: Dest::Node(NodeId(to)),
                after_input,
            })
            .collect()
    }

    fn run(n: usize, list: &[(usize, usize, bool)]) -> Vec<String> {
        let names = ["a", "b", "c", "d", "e"];
        let nodes: Vec<(&str, Position)> = (0..n)
            .map(|i| {
                (
                    names[i],
                    Position {
                        line: i + 1,
                        column: 1,
                    },
                )
            })
            .collect();
        let mut errors = Vec::new();
        check(&nodes, NodeId(0), &edges(list), &mut errors);
        errors.into_iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn a_chain_is_fine() {
        assert!(run(3, &[(0, 1, false), (1, 2, false)]).is_empty());
    }

    #[test]
    fn a_loop_through_a_menu_option_is_fine() {
        assert!(run(2, &[(0, 1, true), (1, 0, false)]).is_empty());
    }

    #[test]
    fn a_silent_self_loop_is_reported() {
        assert_eq!(
            run(1, &[(0, 0, false)]),
            [
                "line 1, column 1: loop without input: a caller who presses nothing goes round \"a\" → \"a\" forever"
            ]
        );
    }

    #[test]
    fn each_silent_loop_is_reported_once_from_its_first_node() {
        let errors = run(
            5,
            &[
                (0, 1, false),
                (1, 2, false),
                (2, 1, false),
                (2, 3, false),
                (3, 4, false),
                (4, 3, false),
            ],
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("\"b\" → \"c\" → \"b\""), "{errors:?}");
        assert!(errors[1].contains("\"d\" → \"e\" → \"d\""), "{errors:?}");
    }

    #[test]
    fn unreachable_nodes_are_reported() {
        assert_eq!(
            run(3, &[(0, 1, false)]),
            ["line 3, column 1: node \"c\" is never reached from the start node \"a\""]
        );
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let list: Vec<(usize, usize, bool)> = (0..n).map(|i| (i, (i + 1) % n, false)).collect();
        let succ = successors(n, &edges(&list), |_| true);
        assert_eq!(strongly_connected(&succ).len(), 1);
    }
}

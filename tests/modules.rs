//! The module graph of the sources: no import circle (a file may use what its parent modules define), and the
//! two faces, cli and tui, side by side with neither using the other.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`tui::update`) → file text, for every file under src/ but the crate roots.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(root).unwrap().with_extension("");
                let name = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect::<Vec<_>>().join("::");
                if name != "lib" && name != "main" {
                    out.insert(name, std::fs::read_to_string(&p).unwrap());
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// `use a::{b, c::{d, e}};` as `a::b a::c::d a::c::e`, so that every used path is written out.
fn expand_uses(text: &str) -> String {
    fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
        let tree = tree.trim();
        match tree.find('{') {
            Some(open) if tree.ends_with('}') => {
                let head = format!("{prefix}{}", &tree[..open]);
                let inner = &tree[open + 1..tree.len() - 1];
                let (mut depth, mut start) = (0, 0);
                for (i, c) in inner.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            expand(&head, &inner[start..i], out);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                expand(&head, &inner[start..], out);
            }
            _ if !tree.is_empty() => out.push(format!("{prefix}{tree}")),
            _ => {}
        }
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("use ") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find(';') else { break };
        let mut paths = vec![];
        expand("", &rest[i + 4..i + end], &mut paths);
        for p in paths {
            out.push_str(&format!("use {p};\n"));
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Which modules each module uses, through `crate::`/`super::` paths or a child's name (`items::act`).
fn edges(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (m, text) in mods {
        let text = expand_uses(text.split("#[cfg(test)]").next().unwrap_or(""));
        let text = text.as_str();
        let mut used = BTreeSet::new();
        let here: Vec<&str> = m.split("::").collect();
        for (i, _) in text.match_indices("::") {
            let start = text[..i].rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).map_or(0, |s| s + 1);
            let end =
                text[i..].find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).map_or(text.len(), |e| i + e);
            let path: Vec<&str> = text[start..end].split("::").filter(|s| !s.is_empty()).collect();
            let (mut base, rest): (Vec<&str>, &[&str]) = match path.first() {
                Some(&"crate") => (vec![], &path[1..]),
                Some(&"super") => {
                    let ups = path.iter().take_while(|p| **p == "super").count();
                    (here[..here.len().saturating_sub(ups)].to_vec(), &path[ups..])
                }
                Some(&"self") => (here.clone(), &path[1..]),
                Some(first) if mods.contains_key(&format!("{m}::{first}")) => (here.clone(), &path[..]),
                _ => continue,
            };
            base.extend(rest);
            // The longest prefix that is a module.
            while !base.is_empty() && !mods.contains_key(&base.join("::")) {
                base.pop();
            }
            let t = base.join("::");
            // A file may use what its parent modules define: those edges are the module tree, not a circle.
            if !t.is_empty() && t != *m && !m.starts_with(&format!("{t}::")) {
                used.insert(t);
            }
        }
        out.insert(m.clone(), used);
    }
    out
}

/// Strongly connected groups of more than one module.
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(n) = todo.pop() {
            for t in g.get(&n).into_iter().flatten() {
                if seen.insert(t.clone()) {
                    todo.push(t.clone());
                }
            }
        }
        seen
    };
    let all: BTreeMap<&String, BTreeSet<String>> = g.keys().map(|k| (k, reach(k))).collect();
    let mut out: Vec<Vec<String>> = vec![];
    for (a, ra) in &all {
        let group: Vec<String> = all
            .iter()
            .filter(|(b, rb)| a != *b && ra.contains(**b) && rb.contains(*a))
            .map(|(b, _)| (*b).clone())
            .collect();
        if !group.is_empty() {
            let mut c = group;
            c.push((*a).clone());
            c.sort();
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

#[test]
fn no_import_circles_and_the_faces_side_by_side() {
    let mods = modules();
    let g = edges(&mods);
    assert!(g["tui::update"].contains("tui::items"), "the graph reads child paths: {:?}", g["tui::update"]);
    let c = circles(&g);
    assert!(c.is_empty(), "import circles: {c:?}");
    let face = |m: &str| m.split("::").next().unwrap_or("").to_string();
    let crossing: Vec<(String, String)> = g
        .iter()
        .flat_map(|(a, bs)| bs.iter().map(move |b| (a.clone(), b.clone())))
        .filter(|(a, b)| {
            let (fa, fb) = (face(a), face(b));
            fa != fb && ["cli", "tui"].contains(&fa.as_str()) && ["cli", "tui"].contains(&fb.as_str())
        })
        .collect();
    assert!(crossing.is_empty(), "cli and tui use each other: {crossing:?}");
    for core in mods.keys().filter(|m| !["cli", "tui", "user"].contains(&face(m).as_str())) {
        let t = &mods[core];
        assert!(!t.contains("ratatui") && !t.contains("crossterm"), "{core} is core and uses the terminal");
    }
}

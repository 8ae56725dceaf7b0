//! Key bindings as data: (scope, key, action). Help and hints are generated from it; `[keys]` in the config overrides it.

use super::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    List,
    Detail,
    /// The reply and note composer.
    Composer,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "everywhere",
            Scope::List => "lists",
            Scope::Detail => "detail view",
            Scope::Composer => "the reply composer",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        // Shift is part of the character for letters and symbols.
        let mods = match e.code {
            KeyCode::Char(_) => e.modifiers - KeyModifiers::SHIFT,
            _ => e.modifiers,
        };
        Key { code: e.code, mods }
    }

    /// Parse `x`, `G`, `?`, `ctrl-d`, `alt-x`, `enter`, `esc`, `tab`, `backtab`, `up`, `pagedown`, `f2`, `space`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => KeyCode::F(f[1..].parse().ok()?),
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        Some(Key { code, mods })
    }

    pub fn label(self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("alt-");
        }
        s.push_str(&match self.code {
            KeyCode::Char(' ') => "space".into(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::BackTab => "shift-tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}").to_lowercase(),
        });
        s
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub scope: Scope,
    pub key: Key,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

const DEFAULTS: &[(Scope, &str, Action)] = {
    use Action::*;
    use Scope::*;
    &[
        (Global, "q", Quit),
        (Global, "esc", Back),
        (Global, "?", Help),
        (Global, ":", Palette),
        (Global, "tab", NextPane),
        (Global, "backtab", PrevPane),
        (Global, "1", PaneInbox),
        (Global, "2", PaneTickets),
        (Global, "3", PaneIssues),
        (Global, "4", PaneContacts),
        (Global, "5", PaneDashboard),
        (Global, "u", Undo),
        (Global, "ctrl-r", Refresh),
        (Global, "ctrl-g", GoTo),
        (Global, "ctrl-n", NextNeedsResponse),
        (List, "j", Down),
        (List, "down", Down),
        (List, "k", Up),
        (List, "up", Up),
        (List, "g", Top),
        (List, "home", Top),
        (List, "G", Bottom),
        (List, "end", Bottom),
        (List, "ctrl-d", PageDown),
        (List, "pagedown", PageDown),
        (List, "ctrl-u", PageUp),
        (List, "pageup", PageUp),
        (List, "enter", Open),
        (List, "/", Filter),
        (List, "n", NewItem),
        (List, "A", ToggleAccounts),
        (List, "e", Export),
        (List, "W", SaveView),
        (List, "V", OpenView),
        (List, "o", Sort),
        (List, "space", Mark),
        (List, "*", MarkAll),
        (Detail, "j", Down),
        (Detail, "down", Down),
        (Detail, "k", Up),
        (Detail, "up", Up),
        (Detail, "g", Top),
        (Detail, "G", Bottom),
        (Detail, "ctrl-d", PageDown),
        (Detail, "pagedown", PageDown),
        (Detail, "ctrl-u", PageUp),
        (Detail, "pageup", PageUp),
        (Detail, "]", NextTab),
        (Detail, "[", PrevTab),
        (Detail, "r", Reply),
        (Detail, "R", ReplyAll),
        (Detail, "F", Forward),
        (Detail, "I", Note),
        (Detail, "J", NextMessage),
        (Detail, "K", PrevMessage),
        (Detail, "z", ToggleQuotes),
        (Detail, "H", Headers),
        (Detail, "/", Find),
        (Detail, "n", FindNext),
        (Detail, "N", FindPrev),
        (Detail, "P", Pager),
        (Detail, "ctrl-p", PagerThread),
        (Detail, "o", OpenAttachment),
        (Detail, "w", SaveAttachment),
        (Detail, "E", EditorReply),
        (Detail, "S", Snippet),
        (Detail, "enter", Open),
        (Detail, "+", ThumbUp),
        (Detail, "-", ThumbDown),
        (Composer, "ctrl-k", InsertArticle),
        (Global, "s", Stage),
        (Global, "a", Assign),
        (Global, "t", Tag),
        (Global, "v", Severity),
        (Global, "p", Part),
        (Global, "l", Link),
        (Global, "c", TicketFromConversation),
        (Global, "i", NewIssue),
        (Global, "x", NewTask),
        (Global, "=", EditRecord),
        (Global, "b", Notifications),
    ]
};

impl Keymap {
    /// The default bindings with the config's `[keys]` overrides (action name → key) applied.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Keymap, String> {
        let mut bindings: Vec<Binding> = DEFAULTS
            .iter()
            .filter_map(|(scope, k, action)| Key::parse(k).map(|key| Binding { scope: *scope, key, action: *action }))
            .collect();
        for (name, key) in overrides {
            let action = Action::from_name(name).ok_or_else(|| format!("[keys]: no action named '{name}'"))?;
            let key = Key::parse(key).ok_or_else(|| format!("[keys]: cannot read key '{key}' for {name}"))?;
            let scopes: Vec<Scope> = bindings.iter().filter(|b| b.action == action).map(|b| b.scope).collect();
            bindings.retain(|b| b.action != action);
            for scope in if scopes.is_empty() { vec![Scope::Global] } else { scopes } {
                bindings.retain(|b| {
                    !(b.key == key && (b.scope == scope || b.scope == Scope::Global || scope == Scope::Global))
                });
                bindings.insert(0, Binding { scope, key, action });
            }
        }
        Ok(Keymap { bindings })
    }

    /// The action for a key in a scope; global bindings apply everywhere after the scope's own.
    pub fn lookup(&self, scope: Scope, key: Key) -> Option<Action> {
        let find = |s: Scope| self.bindings.iter().find(|b| b.scope == s && b.key == key).map(|b| b.action);
        find(scope).or_else(|| find(Scope::Global))
    }

    /// The first key bound to an action, for hints.
    pub fn key_for(&self, action: Action) -> Option<String> {
        self.bindings.iter().find(|b| b.action == action).map(|b| b.key.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_label() {
        for s in ["x", "G", "?", "ctrl-d", "enter", "pagedown", "F2", "space"] {
            let k = Key::parse(s).unwrap();
            assert!(!k.label().is_empty(), "{s}");
        }
        assert_eq!(Key::parse("ctrl-d").unwrap().mods, KeyModifiers::CONTROL);
        assert!(Key::parse("xy").is_none());
    }

    #[test]
    fn overrides_replace_defaults() {
        let mut o = BTreeMap::new();
        o.insert("stage".to_string(), "m".to_string());
        let k = Keymap::new(&o).unwrap();
        assert_eq!(k.lookup(Scope::List, Key::parse("m").unwrap()), Some(Action::Stage));
        assert_eq!(k.lookup(Scope::List, Key::parse("s").unwrap()), None);
        o.insert("nonsense".to_string(), "z".to_string());
        assert!(Keymap::new(&o).is_err());
    }

    #[test]
    fn every_action_has_a_key() {
        let k = Keymap::new(&BTreeMap::new()).unwrap();
        for a in Action::ALL {
            assert!(k.key_for(*a).is_some(), "{a:?} has no key");
        }
    }
}

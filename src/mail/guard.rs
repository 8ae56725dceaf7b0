//! One message's failure stays that message's: a panic while reading or storing it becomes a reason, logged, never printed.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs [`catch`]: its panics are caught and become a reason.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Run `f`; a panic in it becomes `Err` with the panic's message. While it runs, a panic on this thread goes to the log
/// (tracing), not to the terminal.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(install_hook);
    let was = CATCHING.with(|c| c.replace(true));
    let out = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was));
    out.map_err(|p| {
        let text = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        format!("unexpected failure (panic: {})", crate::sanitize::line(&text))
    })
}

/// Put a hook in front of the current panic hook: a panic inside [`catch`] is logged through tracing, any other goes
/// on to the hook it replaced. Called once by the first [`catch`]; a face that sets its own hook afterwards (the TUI
/// restores the terminal on a panic) calls it again, so that a caught panic never reaches that hook.
pub fn install_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if CATCHING.with(|c| c.get()) {
            let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            tracing::error!(at, "caught while ingesting: {info}");
        } else {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_reason() {
        assert_eq!(catch(|| 7), Ok(7));
        let e = catch(|| -> u8 { panic!("end byte index 5 is not a char boundary") }).unwrap_err();
        assert!(e.contains("end byte index 5"), "{e}");
        let s = String::from("é");
        let e = catch(|| s[..1].len()).unwrap_err();
        assert!(e.starts_with("unexpected failure (panic:"), "{e}");
    }
}

//! Threads that give way: niceness is per thread on Linux, so work that can wait yields the cores to work that cannot.

/// Make the calling thread `steps` nicer than it is now (a process started under `nice` keeps the gap). When the
/// cores are busy the other threads go first; on an idle machine nothing changes. Failing to lower it is harmless.
pub fn give_way(steps: i32) {
    use thread_priority::{ThreadPriority, ThreadPriorityValue, set_current_thread_priority};
    let own = std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| s.rsplit(") ").next()?.split(' ').nth(16)?.parse::<i32>().ok())
        .unwrap_or(0);
    let want = (own + steps).min(19);
    // The crate's cross-platform value p (0..=99) is niceness floor(39 * (1 - p / 99)) - 20 on Linux.
    let nice_of = |p: u8| (39.0 * (1.0 - f32::from(p) / 99.0)) as i32 - 20;
    if let Some(p) = (0..=99u8).rev().find(|p| nice_of(*p) >= want)
        && let Ok(v) = ThreadPriorityValue::try_from(p)
    {
        let _ = set_current_thread_priority(ThreadPriority::Crossplatform(v));
    }
}

#[cfg(test)]
mod tests {
    fn niceness() -> i32 {
        let s = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        s.rsplit(") ").next().unwrap().split(' ').nth(16).unwrap().parse().unwrap()
    }

    #[test]
    fn a_thread_gives_way_and_the_others_do_not() {
        let before = niceness();
        let inside = std::thread::spawn(move || {
            super::give_way(5);
            niceness()
        })
        .join()
        .unwrap();
        assert_eq!(inside, (before + 5).min(19));
        assert_eq!(niceness(), before);
    }
}

//! CPU time used by this process: the engine and the in-process simulator
//! together, since every scenario runs graph-sim in the bench's process.
//!
//! A run cannot end sooner than its CPU time divided by the cores that
//! share it, whatever the latency bound says: that is the floor the full
//! sync's wall time is compared with beside the bound.

use std::time::Duration;

/// User plus system CPU time of the whole process (all threads, those
/// that ended included), or `None` where `/proc` is not there.
///
/// `/proc/self/stat` counts in clock ticks of `USER_HZ`, which the kernel
/// fixes at 100 per second for user space on every architecture Linux
/// ships (the scheduler's own tick rate is not exposed there), so the
/// figure has a resolution of 10 ms.
pub fn process_time() -> Option<Duration> {
    const USER_HZ: u64 = 100;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name is in parentheses and may hold spaces: the fields
    // that follow it start after the last ')'. There the process state is
    // the first field, utime the 12th and stime the 13th.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 1000 / USER_HZ))
}

/// Cores this process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_time_grows_with_work() {
        let Some(before) = process_time() else {
            println!("skipped: no /proc/self/stat on this system");
            return;
        };
        // Spin for about 300 ms of CPU, well above the 10 ms resolution.
        let started = std::time::Instant::now();
        let mut x = 0u64;
        while started.elapsed() < Duration::from_millis(300) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let after = process_time().expect("readable once");
        assert!(
            after >= before + Duration::from_millis(150),
            "{before:?} → {after:?}"
        );
    }
}

//! Memory and CPU time of a process, from Linux's `/proc`.

use anyhow::{Context as _, anyhow};

/// Resident memory of a process, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size now (`VmRSS`).
    pub rss_kib: u64,
    /// Peak resident set size so far (`VmHWM`).
    pub hwm_kib: u64,
    /// Threads (`Threads`).
    pub threads: u64,
}

/// `/proc/<pid>/status`'s memory figures (`pid` `None`: this process).
///
/// # Errors
/// When the file can't be read (the process is gone) or lacks the fields.
pub fn memory(pid: Option<u32>) -> anyhow::Result<Memory> {
    let path = proc_path(pid, "status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow!("no {name} in {path}"))
    };
    Ok(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
        threads: field("Threads:")?,
    })
}

/// CPU time a process has used, user plus system, in milliseconds
/// (`utime + stime` of `/proc/<pid>/stat`, all threads; clock-tick
/// resolution, usually 10 ms).
///
/// # Errors
/// When the file can't be read or parsed.
pub fn cpu_ms(pid: Option<u32>, ticks_per_second: u64) -> anyhow::Result<u64> {
    let path = proc_path(pid, "stat");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    // The command name (field 2) is in parentheses and may hold spaces:
    // count fields after the last ')'. Field 3 (state) is index 0 there,
    // so utime (field 14) and stime (field 15) are indexes 11 and 12.
    let rest = text
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow!("unexpected {path}"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| anyhow!("no field {i} in {path}"))
    };
    let total = ticks(11)? + ticks(12)?;
    Ok(total * 1000 / ticks_per_second.max(1))
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 if that fails, the value
/// on every mainstream Linux).
pub fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

fn proc_path(pid: Option<u32>, file: &str) -> String {
    match pid {
        Some(pid) => format!("/proc/{pid}/{file}"),
        None => format!("/proc/self/{file}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let m = memory(None).expect("status");
        assert!(m.rss_kib > 0 && m.hwm_kib >= m.rss_kib && m.threads >= 1);
        cpu_ms(None, ticks_per_second()).expect("stat");
    }
}

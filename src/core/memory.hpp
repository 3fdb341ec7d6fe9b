#pragma once

// This process's memory: what it holds, and how the C library keeps what it frees.

namespace lockerctl {

/// This process's peak resident memory so far, in MB (a high-water mark).
double peak_rss_mb();
/// This process's resident memory now, in MB.
double rss_mb();

/// Keeps the memory this process frees for its next allocations instead of handing it back to
/// the kernel. By default glibc maps every block above 32 MB (a batch of activations) afresh and
/// unmaps it on free, so each training step faults in and zeroes gigabytes of pages again; on a
/// virtual machine that cost more than the arithmetic (docs/performance.md). The price: resident
/// memory stays at its high-water mark. Call it once, first thing in main.
void keep_freed_memory();

}  // namespace lockerctl

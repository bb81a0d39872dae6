//! The system clock: PIT channel 0 as the periodic tick, the TSC as the fine clock.
//!
//! seL4 5.0 keeps its own timer (the local APIC) and gives user space none, so the
//! executive drives the legacy PIT (8254) itself through an IO-port capability minted
//! to 0x40–0x43. Channel 0 runs in mode 2 (rate generator) at [`TICK_HZ`]; its IRQ
//! (ISA IRQ 0: IOAPIC pin 2 on x86_64, where QEMU's MADT override routes it, or PIC
//! line 0 on ia32, built with `CONFIG_IRQ_PIC`) signals a notification badged
//! [`TICK_BADGE`] that is bound to the executive's TCB, so the one `ReplyRecv` of the
//! service loop also returns on ticks and the badge tells them apart.
//!
//! Why 100 Hz: a tick only has to notice deadlines (the time itself comes from the TSC),
//! every tick wakes the executive (a context switch, expensive under TCG), and 10 ms is
//! close to Windows' default clock interval (15.625 ms). It is the rate verified on this
//! kernel (see the seL4 reference notes). Timeouts therefore end up to one period late.
//!
//! Time: the TSC, converted with the frequency the kernel measured at boot (bootinfo
//! `arch_info`, MHz), counted from the moment the timer started. Without a frequency the
//! clock falls back to counting ticks.

#[cfg(ntos_bare)]
use super::ioport::IoPortCap;
#[cfg(ntos_bare)]
use super::serial::PortIo;
#[cfg(ntos_bare)]
use crate::mm::kobj::{Mm, MmError, ObjectKind, Pool, ROOT_CNODE, ROOT_DEPTH};

/// The PIT's input clock (Hz).
pub const PIT_HZ: u64 = 1_193_182;
/// Tick rate asked of the PIT.
pub const TICK_HZ: u64 = 100;
/// Channel-0 reload value: the PIT counts this many input clocks per tick.
pub const DIVISOR: u16 = ((PIT_HZ + TICK_HZ / 2) / TICK_HZ) as u16;
/// The real tick period in 100 ns units (11932 / 1193182 s, truncated): 100 001.
pub const TICK_PERIOD_100NS: u64 = DIVISOR as u64 * 10_000_000 / PIT_HZ;
/// Badge of the tick notification. Process badges are `pid << 1 | kind` with a pid of
/// at least 1 (`ps::protocol`), so 1 (pid 0, fault) is never issued to a process.
pub const TICK_BADGE: usize = 1;

/// PIT ports: channel 0 data and the mode/command register.
pub const PIT_CHANNEL0: u16 = 0x40;
pub const PIT_COMMAND: u16 = 0x43;
/// Channel 0, lobyte/hibyte access, mode 2 (rate generator), binary.
pub const PIT_MODE2_CH0: u8 = 0x34;

/// Converts TSC cycles to 100 ns units at `mhz` cycles per microsecond.
pub fn cycles_to_100ns(cycles: u64, mhz: u64) -> u64 {
    if mhz == 0 {
        return 0;
    }
    // floor(c·10/m) = floor(c/m)·10 + floor((c mod m)·10/m), in 64-bit arithmetic: the
    // clock is read on every message, and a 128-bit division is a long software loop
    // (on ia32 especially).
    (cycles / mhz)
        .saturating_mul(10)
        .saturating_add(cycles % mhz * 10 / mhz)
}

/// A monotonic clock in 100 ns units since `start`.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// TSC at the start.
    pub tsc0: u64,
    /// TSC frequency in MHz (0: unknown; the tick count is used instead).
    pub mhz: u64,
    /// Ticks seen (the fallback clock).
    pub ticks: u64,
}

impl Clock {
    pub fn new(tsc0: u64, mhz: u64) -> Clock {
        Clock {
            tsc0,
            mhz,
            ticks: 0,
        }
    }

    /// Time since the start at TSC value `tsc`; never goes back (a TSC below the start
    /// reads as zero).
    pub fn at(&self, tsc: u64) -> u64 {
        if self.mhz == 0 {
            self.ticks.saturating_mul(TICK_PERIOD_100NS)
        } else {
            cycles_to_100ns(tsc.saturating_sub(self.tsc0), self.mhz)
        }
    }

    /// Time since the start, now.
    pub fn now(&self) -> u64 {
        self.at(super::tsc::read_serialized())
    }
}

/// The running tick source.
#[cfg(ntos_bare)]
pub struct Timer {
    irq: sel4::CPtr,
    pub clock: Clock,
}

#[cfg(ntos_bare)]
fn kernel(op: &'static str) -> impl FnOnce(sel4::Error) -> MmError {
    move |err| MmError::Kernel { op, err }
}

#[cfg(ntos_bare)]
impl Timer {
    /// Programs the PIT and routes its IRQ to a badged notification bound to the
    /// executive's TCB. Every receive on the executive's endpoint may return a tick
    /// afterwards, so call this once the boot-time sessions are over.
    pub fn start(mm: &mut Mm, tsc_mhz: u64) -> Result<Timer, MmError> {
        let ntfn = mm.create(Pool::General, ObjectKind::Notification)?;
        let badged = mm.slots.alloc()?;
        sel4::cnode_mint(
            ROOT_CNODE,
            badged,
            ROOT_DEPTH,
            ROOT_CNODE,
            ntfn,
            ROOT_DEPTH,
            sel4::CapRights::new(0, 1, 1),
            sel4::CapData::new_badge(TICK_BADGE),
        )
        .map_err(kernel("CNode_Mint(Notification)"))?;
        let irq = mm.slots.alloc()?;
        #[cfg(target_arch = "x86_64")]
        sel4::irq_control_get_ioapic(
            sel4::consts::CAP_IRQ_CONTROL,
            ROOT_CNODE,
            irq,
            sel4::Word::from(ROOT_DEPTH),
            0, // IOAPIC 0
            2, // pin 2: ISA IRQ 0 after QEMU's interrupt source override
            0, // edge triggered
            0, // active high
            0, // first user vector
        )
        .map_err(kernel("IRQControl_GetIOAPIC"))?;
        #[cfg(target_arch = "x86")]
        sel4::irq_control_get(
            sel4::consts::CAP_IRQ_CONTROL,
            0,
            ROOT_CNODE,
            irq,
            ROOT_DEPTH,
        )
        .map_err(kernel("IRQControl_Get"))?;
        sel4::irq_handler_set_notification(irq, badged)
            .map_err(kernel("IRQHandler_SetNotification"))?;
        sel4::tcb_bind_notification(sel4::consts::CAP_INIT_THREAD_TCB, ntfn)
            .map_err(kernel("TCB_BindNotification"))?;
        let mut pit = IoPortCap::mint_range(mm, PIT_CHANNEL0, PIT_COMMAND)?;
        let [lo, hi] = DIVISOR.to_le_bytes();
        pit.out8(PIT_COMMAND, PIT_MODE2_CH0)
            .and_then(|()| pit.out8(PIT_CHANNEL0, lo))
            .and_then(|()| pit.out8(PIT_CHANNEL0, hi))
            .map_err(kernel("IOPort_Out8(PIT)"))?;
        let _ = sel4::irq_handler_ack(irq);
        Ok(Timer {
            irq,
            clock: Clock::new(super::tsc::read_serialized(), tsc_mhz),
        })
    }

    /// Accounts for one tick notification and re-enables the line.
    pub fn tick(&mut self) {
        self.clock.ticks += 1;
        let _ = sel4::irq_handler_ack(self.irq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pit_constants() {
        assert_eq!(DIVISOR, 11932);
        assert_eq!(TICK_PERIOD_100NS, 100_001);
    }

    #[test]
    fn tsc_conversion() {
        assert_eq!(cycles_to_100ns(3_000, 3_000), 10);
        assert_eq!(cycles_to_100ns(u64::MAX, 1), u64::MAX);
        assert_eq!(cycles_to_100ns(5, 0), 0);
        // Exactly the 128-bit quotient, over a spread of values.
        for (c, m) in [
            (12_345_678_901u64, 2_893),
            (u64::MAX / 3, 3_600),
            (999, 1_000),
            (7, 3),
        ] {
            let want = (u128::from(c) * 10 / u128::from(m)).min(u128::from(u64::MAX)) as u64;
            assert_eq!(cycles_to_100ns(c, m), want, "{c} {m}");
        }
        let c = Clock::new(1_000, 2_000);
        assert_eq!(c.at(500), 0);
        assert_eq!(c.at(1_000 + 2_000 * 50_000), 500_000);
        let mut t = Clock::new(0, 0);
        t.ticks = 3;
        assert_eq!(t.at(123), 3 * TICK_PERIOD_100NS);
    }
}

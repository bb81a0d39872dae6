/*
 * Nereid seL4 5.0.0 kernel configuration shared by both x86 arches.
 *
 * The standalone seL4 Makefile has no Kconfig step: it compiles the kernel
 * against one hand-written autoconf.h. The per-arch headers include this file.
 * The same headers feed the Rust binding generator (private/sel4/build.rs), so
 * invocation labels and object numbers always match the kernel that boots.
 *
 * Debug kernels are built with `make DEBUG=1`, which defines DEBUG and
 * CONFIG_DEBUG_BUILD on the command line. Kernel printing is keyed on DEBUG
 * below, so one header per arch serves both the debug and the release kernel.
 */
#define AUTOCONF_INCLUDED 1
#define CONFIG_KERNEL_MASTER 1
#define CONFIG_HAVE_FPU 1
#define CONFIG_FPU_MAX_RESTORES_SINCE_SWITCH 64
#define CONFIG_HAVE_CACHE 1
#define CONFIG_ARCH_X86 1
#define CONFIG_PLAT_PC99 1
/* Without it boot_sys refuses CPU models outside Nehalem..Skylake (e.g. qemu64). */
#define CONFIG_ARCH_X86_GENERIC 1
#define CONFIG_FASTPATH 1
#define CONFIG_TIMER_TICK_MS 2
#define CONFIG_TIME_SLICE 5
#define CONFIG_NUM_DOMAINS 1
#define CONFIG_NUM_PRIORITIES 256
#define CONFIG_MAX_NUM_NODES 1
#define CONFIG_ROOT_CNODE_SIZE_BITS 16
#define CONFIG_RETYPE_FAN_OUT_LIMIT 256
#define CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION 100
#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS 166
#define CONFIG_CACHE_LN_SZ 64
#define CONFIG_KERNEL_STACK_BITS 12
#define CONFIG_FXSAVE 1
#define CONFIG_XSAVE_SIZE 512
/* QEMU 7.2 under TCG offers no x2APIC. */
#define CONFIG_XAPIC 1
#define CONFIG_MULTIBOOT_GRAPHICS_MODE_NONE 1
#define CONFIG_OPTIMISATION_O2 1
#define CONFIG_KERNEL_CFLAGS ""
#define CONFIG_KERNEL_COMPILER ""
#define CONFIG_KERNEL_EXTRA_CPPFLAGS ""
#define CONFIG_DOMAIN_SCHEDULE ""
/*
 * Not enabled, on purpose: CONFIG_VERIFICATION_BUILD, CONFIG_IOMMU (QEMU's
 * default machine has no DMAR), CONFIG_VTX, CONFIG_HUGE_PAGE and
 * CONFIG_SUPPORT_PCID (TCG lacks INVPCID), CONFIG_HARDWARE_DEBUG_API.
 */

#if defined(DEBUG)
/* `make DEBUG=1` supplies CONFIG_DEBUG_BUILD and CONFIG_USER_STACK_TRACE_LENGTH. */
#define CONFIG_PRINTING 1
#define CONFIG_IRQ_REPORTING 1
#define CONFIG_COLOUR_PRINTING 1
#endif

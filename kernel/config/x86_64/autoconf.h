/* Nereid seL4 5.0.0 configuration: x86_64 (PC99). See ../common.h. */
#include "../common.h"
#define CONFIG_WORD_SIZE 64
#define CONFIG_ARCH_X86_64 1
#define CONFIG_X86_64 1
#define CONFIG_IRQ_IOAPIC 1
#define CONFIG_MAX_NUM_IOAPIC 1
/* syscall/sysret entry; FS/GS bases through MSRs (TCG has no FSGSBASE insns). */
#define CONFIG_SYSCALL 1
#define CONFIG_FSGSBASE_MSR 1

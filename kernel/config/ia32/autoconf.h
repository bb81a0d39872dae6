/* Nereid seL4 5.0.0 configuration: ia32 (PC99). See ../common.h. */
#include "../common.h"
#define CONFIG_WORD_SIZE 32
#define CONFIG_ARCH_IA32 1
#define CONFIG_IRQ_PIC 1
#define CONFIG_SYSENTER 1
#define CONFIG_FSGSBASE_GDT 1

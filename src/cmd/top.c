// SPDX-License-Identifier: GPL-2.0
/* `tamtrace top`: the live view (placeholder until written). */
#include "cmds.h"
#include "exitcodes.h"

int top_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	return TT_EXIT_USAGE;
}

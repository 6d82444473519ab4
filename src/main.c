// SPDX-License-Identifier: GPL-2.0
/* tamtrace: entry point, dispatching to the subcommands. */
#include <string.h>
#include "cmds.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "stats"))
		return stats_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "hist"))
		return hist_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "serve"))
		return serve_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "top"))
		return top_main(argc - 1, argv + 1);
	return stream_main(argc, argv);
}

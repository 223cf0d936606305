/* kg-loadgen COMMAND ARGS...: see loadgen.h and each command's file for what they do. */
#include <stdio.h>
#include <string.h>
#include "loadgen.h"

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "tcp-rate", cmd_tcp_rate },
		{ "tcp-segment", cmd_tcp_segment },
		{ "tcp-server", cmd_tcp_server },
		{ "tcp-syn-timeout", cmd_tcp_syn_timeout },
		{ "udp-rate", cmd_udp_rate },
		{ "udp-sink", cmd_udp_sink },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 2, argv + 2);
	}
	fprintf(stderr, "usage: kg-loadgen tcp-rate|tcp-segment|tcp-server|tcp-syn-timeout|udp-rate|udp-sink ARGS...\n");
	return 2;
}

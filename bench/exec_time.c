/*
 * bench/exec_time ROUNDS CMD_A [ARGS...] [::: CMD_B [ARGS...]] ...
 *
 * The cost of starting a program, as a CGI run pays it: each command is
 * run ROUNDS times, round after round in turn (so that the machine's
 * drift falls on all alike), with stdout on /dev/null and the caller's
 * environment (set a CGI request's variables before). Per command: the
 * median and 90th percentile of the wall time from fork to reaping, and
 * the median CPU time of the child (user + system, from wait4), in µs;
 * the ratio of each median to the first command's. A run that does not
 * exit 0 stops everything (a broken variant must not look fast).
 */
#define _DEFAULT_SOURCE		/* wait4 */

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS	8

static double
now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		perror("clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of n values (sorted in place). */
static double
quantile(double *v, int n, double q)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[(int)(q * (n - 1) + 0.5)];
}

/* One run of argv: wall and CPU µs. */
static void
run_once(char **argv, double *wall, double *cpu)
{
	struct rusage	 ru;
	double		 t0;
	pid_t		 pid;
	int		 status, null;

	t0 = now_us();
	if ((pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		if ((null = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(null, STDOUT_FILENO) == -1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("wait4");
		exit(1);
	}
	*wall = now_us() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "exec_time: %s failed (status %d)\n", argv[0],
		    status);
		exit(1);
	}
	*cpu = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec +
	    ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

int
main(int argc, char **argv)
{
	char	**cmd[MAX_CMDS];
	double	 *wall[MAX_CMDS], *cpu[MAX_CMDS], med[MAX_CMDS];
	double	  p90, cmed;
	int	  ncmd = 0, rounds, r, c, i;

	if (argc < 3 || (rounds = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: exec_time ROUNDS CMD [ARGS...] "
		    "[::: CMD [ARGS...]] ...\n");
		return 2;
	}
	cmd[ncmd++] = &argv[2];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], ":::") != 0)
			continue;
		argv[i] = NULL;
		if (ncmd == MAX_CMDS || i + 1 >= argc) {
			fprintf(stderr, "exec_time: 1 to %d commands\n",
			    MAX_CMDS);
			return 2;
		}
		cmd[ncmd++] = &argv[i + 1];
	}
	for (c = 0; c < ncmd; c++)
		if ((wall[c] = calloc((size_t)rounds, sizeof(double))) ==
		    NULL || (cpu[c] = calloc((size_t)rounds,
		    sizeof(double))) == NULL) {
			perror("calloc");
			return 1;
		}
	for (r = 0; r < rounds; r++)
		for (c = 0; c < ncmd; c++)
			run_once(cmd[c], &wall[c][r], &cpu[c][r]);
	for (c = 0; c < ncmd; c++) {
		med[c] = quantile(wall[c], rounds, 0.5);
		p90 = quantile(wall[c], rounds, 0.9);
		cmed = quantile(cpu[c], rounds, 0.5);
		printf("%-40s wall median %7.0f us p90 %7.0f us  cpu median "
		    "%7.0f us  wall ratio %.2f\n", cmd[c][0], med[c], p90,
		    cmed, med[c] / med[0]);
	}
	return 0;
}

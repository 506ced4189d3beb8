/*
 * The page query alone: the responder's own prepared statements (lib/sql.c)
 * through the connector in a tight loop, no HTTP. Like the endpoint under
 * bench/follow.lua, each process walks the organisation page after page
 * (the first page, then the seek query from the last row's position) and
 * starts over after the last page. Forks PROCS processes, each with its
 * own connection, and prints the total queries per second.
 *
 *   query_loop CONF CLIENT_ID SECONDS PROCS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/cursor.h"
#include "../lib/db.h"
#include "../lib/params.h"
#include "../lib/sql.h"

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Like the handler: count the rows, keep the position the API's
 * next_cursor would carry (the last row of the page). */
struct walk {
	int			 seen;
	struct cursor_pos	 last;
};

static int
take_row(void *arg, const struct call *row)
{
	struct walk	*w = arg;

	if (w->seen++ == LIMIT_DEFAULT - 1 &&
	    call_position(row, &w->last) == -1)
		return -1;
	return 0;
}

/* One process: run queries until the deadline; write the count to fd. */
static int
loop(const char *conf, const char *client_id, double seconds, int fd)
{
	struct db		 db;
	struct walk		 w;
	struct cursor_pos	 after, floor;
	struct list_params	 p;
	struct list_query	 q;
	double			 end = now() + seconds;
	long			 n = 0;
	int			 more = 0, floor_found;

	/* The default listing: newest first, no filters, unbounded. */
	memset(&p, 0, sizeof(p));
	p.limit = LIMIT_DEFAULT;
	memset(&q, 0, sizeof(q));
	q.client_id = client_id;
	q.params = &p;
	q.desc = 1;
	q.fetch = LIMIT_DEFAULT + 1;
	db_init(&db, conf, sql_text, SQL__COUNT);
	while (now() < end) {
		w.seen = 0;
		q.seek = more ? &after : NULL;
		if (sql_store_ops.list_calls(&db, &q, take_row, &w,
		    &floor_found, &floor) != CA_OK || w.seen == 0) {
			fprintf(stderr, "query_loop: query failed\n");
			return 1;
		}
		n++;
		if ((more = w.seen > LIMIT_DEFAULT))
			after = w.last;
	}
	db_close(&db);
	return write(fd, &n, sizeof(n)) == sizeof(n) ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	int	 fds[2], procs, i, status, failed = 0;
	long	 n, total = 0;
	double	 seconds, t0;
	pid_t	 pid;

	if (argc != 5) {
		fprintf(stderr, "usage: query_loop CONF CLIENT_ID SECONDS "
		    "PROCS\n");
		return 2;
	}
	seconds = atof(argv[3]);
	procs = atoi(argv[4]);
	if (seconds <= 0 || procs < 1 || procs > 64 || pipe(fds) == -1)
		return 2;
	t0 = now();
	for (i = 0; i < procs; i++) {
		if ((pid = fork()) == -1)
			return 1;
		if (pid == 0)
			_exit(loop(argv[1], argv[2], seconds, fds[1]));
	}
	close(fds[1]);
	while (read(fds[0], &n, sizeof(n)) == sizeof(n))
		total += n;
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	if (failed)
		return 1;
	printf("%.1f\n", (double)total / (now() - t0));
	return 0;
}

/*
 * db_run without a server: the reconnect-and-retry rule, the request's time
 * budget and the back-off between connects, on a fake connect and a fake
 * clock; the connector's wait hook on a socketpair and the real clock.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/db.h"
#include "tap.h"

static long long	 fake_now = 1000000;
static int		 connects, connect_fails;
static long long	 connect_cost;	/* ms a connect takes */
static enum ca_err	 fail_with = CA_ERR_DB_UNAVAILABLE;	/* how */

static long long
fake_clock(void)
{
	return fake_now;
}

static enum ca_err
fake_connect(struct db *db)
{
	connects++;
	fake_now += connect_cost;
	if (connect_fails)
		return fail_with;
	/* A real handle, never connected: db_close may close it. */
	return (db->conn = mysql_init(NULL)) != NULL ? CA_OK : CA_ERR_INTERNAL;
}

/* An operation that fails as scripted, run after run. */
struct script {
	int		 lost_runs;	/* the first lost_runs runs lose it */
	int		 hand_over;	/* a failing run handed rows on first */
	long long	 cost;		/* ms each run takes */
	int		 runs;
};

static enum ca_err
fake_op(struct db *db, void *arg, int *may_retry)
{
	struct script	*s = arg;

	(void)db;
	fake_now += s->cost;
	if (s->runs++ >= s->lost_runs)
		return CA_OK;
	if (s->hand_over)
		*may_retry = 0;
	return CA_ERR_DB_UNAVAILABLE;
}

static void
fresh(struct db *db)
{
	db_close(db);
	db_init(db, "/nonexistent", NULL, 0);
	db->connect = fake_connect;
	db->clock = fake_clock;
	connects = connect_fails = 0;
	connect_cost = 0;
	fail_with = CA_ERR_DB_UNAVAILABLE;
	fake_now += 100000;	/* past any back-off */
}

struct wait_check {
	int		 fd, timeout, rc;
	long long	 ms;
};

/* A db_op that times db_io_wait inside db_run (its deadline active). */
static enum ca_err
timed_wait(struct db *db, void *arg, int *may_retry)
{
	struct wait_check	*w = arg;
	long long		 t0 = db_clock_ms();

	(void)db;
	(void)may_retry;
	w->rc = db_io_wait(w->fd, 1, w->timeout);
	w->ms = db_clock_ms() - t0;
	return CA_OK;
}

static void
test_retry_rule(void)
{
	struct db	 db;
	struct script	 s;

	memset(&db, 0, sizeof(db));
	fresh(&db);
	memset(&s, 0, sizeof(s));
	is_int(db_run(&db, fake_op, &s), CA_OK, "healthy: CA_OK");
	ok(s.runs == 1 && connects == 1 && db.conn != NULL,
	    "healthy: one connect, one run, connection kept");

	fresh(&db);
	memset(&s, 0, sizeof(s));
	s.lost_runs = 1;
	is_int(db_run(&db, fake_op, &s), CA_OK, "lost once: retried, CA_OK");
	ok(s.runs == 2 && connects == 2, "lost once: reconnected, ran twice "
	    "(runs %d, connects %d)", s.runs, connects);

	fresh(&db);
	memset(&s, 0, sizeof(s));
	s.lost_runs = 5;
	is_int(db_run(&db, fake_op, &s), CA_ERR_DB_UNAVAILABLE,
	    "lost twice: 503");
	ok(s.runs == 2 && connects == 2 && db.conn == NULL,
	    "lost twice: one retry only, nothing left open (runs %d, "
	    "connects %d)", s.runs, connects);

	/* The replay rule: rows went on, so no retry and no reconnect. */
	fresh(&db);
	memset(&s, 0, sizeof(s));
	s.lost_runs = 1;
	s.hand_over = 1;
	is_int(db_run(&db, fake_op, &s), CA_ERR_DB_UNAVAILABLE,
	    "lost after handing rows on: 503");
	ok(s.runs == 1 && connects == 1 && db.conn == NULL,
	    "lost after handing rows on: not run again, no fresh connection "
	    "(runs %d, connects %d)", s.runs, connects);
	memset(&s, 0, sizeof(s));
	is_int(db_run(&db, fake_op, &s), CA_OK,
	    "the next operation connects again");
	is_int(connects, 2, "  with one connect");
	db_close(&db);
}

static void
test_budget(void)
{
	struct db	 db;
	struct script	 s, t;

	memset(&db, 0, sizeof(db));

	/* Lost late in the budget: too little time left to reconnect. */
	fresh(&db);
	db_begin(&db);
	memset(&s, 0, sizeof(s));
	s.lost_runs = 1;
	s.cost = DB_BUDGET_MS - DB_CONNECT_MIN_MS + 100;
	is_int(db_run(&db, fake_op, &s), CA_ERR_DB_UNAVAILABLE,
	    "lost with %d ms left: 503", DB_CONNECT_MIN_MS - 100);
	ok(s.runs == 1 && connects == 1, "  no reconnect (runs %d, "
	    "connects %d)", s.runs, connects);

	/* Lost early: reconnected and retried. */
	fresh(&db);
	db_begin(&db);
	memset(&s, 0, sizeof(s));
	s.lost_runs = 1;
	s.cost = DB_BUDGET_MS - DB_CONNECT_MIN_MS - 100;
	is_int(db_run(&db, fake_op, &s), CA_OK, "lost with %d ms left: "
	    "retried", DB_CONNECT_MIN_MS + 100);
	is_int(connects, 2, "  reconnected");

	/* Two operations of one request share its budget. */
	fresh(&db);
	db_begin(&db);
	memset(&s, 0, sizeof(s));
	s.lost_runs = 1;
	s.cost = DB_BUDGET_MS - 10;
	memset(&t, 0, sizeof(t));
	ok(db_run(&db, fake_op, &s) == CA_ERR_DB_UNAVAILABLE &&
	    db_run(&db, fake_op, &t) == CA_ERR_DB_UNAVAILABLE,
	    "a hang in the key lookup: the page query answers 503 too");
	ok(t.runs == 0 && connects == 1, "  without a connect or a run "
	    "(runs %d, connects %d)", t.runs, connects);
	db_begin(&db);
	is_int(db_run(&db, fake_op, &t), CA_OK, "the next request has a "
	    "budget of its own");

	/* A budget from the option file (db-budget-ms) replaces the default. */
	fresh(&db);
	db_set_budget(&db, 4000);
	db_begin(&db);
	memset(&s, 0, sizeof(s));
	s.lost_runs = 1;
	s.cost = DB_BUDGET_MS + 500;	/* past the default, not past 4 s */
	is_int(db_run(&db, fake_op, &s), CA_OK, "budget 4000 ms: lost after "
	    "%d ms, still retried", DB_BUDGET_MS + 500);
	is_int(connects, 2, "  reconnected");
	db_set_budget(&db, 1);
	is_int((int)db.budget_ms, DB_BUDGET_MIN_MS, "a budget under one "
	    "connect is raised to %d ms", DB_BUDGET_MIN_MS);

	/* Without db_begin, each db_run has a budget of its own. */
	fresh(&db);
	memset(&s, 0, sizeof(s));
	s.cost = DB_BUDGET_MS + 10;
	memset(&t, 0, sizeof(t));
	ok(db_run(&db, fake_op, &s) == CA_OK && db_run(&db, fake_op, &t) ==
	    CA_OK, "no request begun: every db_run has its own budget");
	db_close(&db);
}

/*
 * stderr (the log) goes to a file while the tests run: logged(s) tells
 * whether a line containing s was written since the last call.
 */
static FILE	*log_file;

static int
logged(const char *s)
{
	char	 line[1024];
	int	 found = 0;

	fflush(stderr);
	while (log_file != NULL && fgets(line, sizeof(line), log_file) != NULL)
		if (strstr(line, s) != NULL)
			found = 1;
	clearerr(log_file);
	return found;
}

static void
test_backoff(void)
{
	struct db	 db;
	struct script	 s;

	memset(&db, 0, sizeof(db));
	fresh(&db);
	connect_fails = 1;
	connect_cost = DB_RETRY_DELAY_MS + 200;	/* a slow, failing connect */
	memset(&s, 0, sizeof(s));
	db_begin(&db);
	is_int(db_run(&db, fake_op, &s), CA_ERR_DB_UNAVAILABLE,
	    "failed connect: 503");
	fake_now += 100;
	db_begin(&db);
	is_int(db_run(&db, fake_op, &s), CA_ERR_DB_UNAVAILABLE,
	    "100 ms after a failed connect that took %d ms: 503",
	    DB_RETRY_DELAY_MS + 200);
	is_int(connects, 1, "  without a connect (back-off counted from the "
	    "end of the attempt)");
	ok(logged("database: unavailable, next connect in 900 ms"),
	    "  and says why in the log");
	fake_now += DB_RETRY_DELAY_MS;
	connect_fails = 0;
	connect_cost = 0;
	db_begin(&db);
	is_int(db_run(&db, fake_op, &s), CA_OK, "after the back-off: "
	    "connects again");
	ok(connects == 2 && s.runs == 1, "  one more connect, one run");

	/* A wrong option file stays a 500 while backing off, not a 503. */
	fresh(&db);
	connect_fails = 1;
	fail_with = CA_ERR_CONFIG;
	snprintf(db.connect_why, sizeof(db.connect_why), "stale");
	db_begin(&db);
	is_int(db_run(&db, fake_op, &s), CA_ERR_CONFIG,
	    "connect failed on the configuration: 500");
	fake_now += 100;
	db_begin(&db);
	is_int(db_run(&db, fake_op, &s), CA_ERR_CONFIG,
	    "  and 500 again while backing off");
	ok(connects == 1 && !logged("stale"), "  without a connect, nor an "
	    "earlier attempt's reason");
	fail_with = CA_ERR_DB_UNAVAILABLE;
	fake_now += DB_RETRY_DELAY_MS;
	db_begin(&db);
	is_int(db_run(&db, fake_op, &s), CA_ERR_DB_UNAVAILABLE,
	    "server down at the next attempt: 503");
	fake_now += 100;
	db_begin(&db);
	is_int(db_run(&db, fake_op, &s), CA_ERR_DB_UNAVAILABLE,
	    "  and 503 while backing off");
	db_close(&db);
}

static void
test_io_wait(void)
{
	struct db		 db;
	struct wait_check	 w;
	int			 sv[2];
	long long		 t0;
	char			 c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		ok(0, "socketpair");
		return;
	}
	db_init(&db, "/nonexistent", NULL, 0);
	db.conn = mysql_init(NULL);	/* "connected": db_run goes to op */

	memset(&w, 0, sizeof(w));
	w.fd = sv[0];
	w.timeout = 10000;		/* the connector's limit: 10 s */
	db.deadline = db_clock_ms() + 200;
	is_int(db_run(&db, timed_wait, &w), CA_OK, "db_run with a wait");
	ok(w.rc == 0 && w.ms >= 150 && w.ms < 1500, "a silent server: the "
	    "wait ends at the request's deadline, not the connector's 10 s "
	    "(%lld ms, rc %d)", w.ms, w.rc);

	db.deadline = db_clock_ms() + 5000;
	w.timeout = 100;
	(void)db_run(&db, timed_wait, &w);
	ok(w.rc == 0 && w.ms >= 50 && w.ms < 1000, "the connector's shorter "
	    "limit still applies (%lld ms)", w.ms);

	db.deadline = db_clock_ms() - 1;
	w.timeout = 10000;
	(void)db_run(&db, timed_wait, &w);
	ok(w.rc == 0 && w.ms < 100, "deadline passed: no wait (%lld ms)",
	    w.ms);

	if (write(sv[1], "x", 1) != 1)
		ok(0, "write");
	db.deadline = db_clock_ms() + 5000;
	(void)db_run(&db, timed_wait, &w);
	ok(w.rc == 1 && w.ms < 100, "data ready: at once (%lld ms)", w.ms);

	/* Outside db_run no deadline applies (e.g. closing at exit). */
	if (read(sv[0], &c, 1) != 1)
		ok(0, "read");
	db.deadline = db_clock_ms() - 1;
	(void)db_run(&db, timed_wait, &w);
	t0 = db_clock_ms();
	w.rc = db_io_wait(sv[0], 1, 50);
	w.ms = db_clock_ms() - t0;
	ok(w.rc == 0 && w.ms >= 40 && w.ms < 1000, "after a db_run whose "
	    "deadline passed, a wait outside db_run uses its own limit "
	    "(%lld ms)", w.ms);
	(void)close(sv[1]);
	(void)close(sv[0]);
	db_close(&db);
}

int
main(void)
{
	char	 path[] = "/tmp/test_db.log.XXXXXX";
	int	 fd;

	/* The log lines go to a file, read back by logged(). */
	if ((fd = mkstemp(path)) == -1 || dup2(fd, STDERR_FILENO) == -1 ||
	    (log_file = fopen(path, "r")) == NULL) {
		ok(0, "log file %s", path);
		return done_testing();
	}
	(void)close(fd);
	(void)unlink(path);
	test_retry_rule();
	test_budget();
	test_backoff();
	test_io_wait();
	mysql_library_end();
	(void)fclose(log_file);
	return done_testing();
}

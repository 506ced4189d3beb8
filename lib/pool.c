#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "pool.h"

#define BACKOFF_FIRST	0.1	/* seconds, after a worker that died young */
#define BACKOFF_MAX	10.0
#define YOUNG		1.0	/* a worker that died sooner died young */

struct slot {
	pid_t	 pid;		/* 0: empty, to be started at restart_at */
	double	 started;
	double	 restart_at;
	double	 backoff;
};

struct pool {
	const struct serve_opts	*opts;
	const char		*conf;
	struct listener		*listener;
	pool_worker_fn		*fn;
	void			*arg;
	sigset_t		 blocked;	/* the parent's: taken by wait */
	sigset_t		 saved;		/* the mask before: workers' */
	struct slot		*slots;		/* opts->workers of them */
	pid_t			*old;		/* retiring: finish and leave */
	size_t			 nold, oldcap;
	int			 stopping;
	double			 stop_deadline;
};

static double
now(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In the new worker: the parent's state undone, then the worker. */
static void
worker(struct pool *p, pid_t parent)
{
	struct sigaction	 sa;
	int			 sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT };
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	(void)sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* A hang-up (a closed terminal) is the parent's to act on. */
		sa.sa_handler = sigs[i] == SIGHUP ? SIG_IGN : SIG_DFL;
		(void)sigaction(sigs[i], &sa, NULL);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != parent)
		_exit(1);	/* the parent died before we could tell */
	(void)sigprocmask(SIG_SETMASK, &p->saved, NULL);
	free(p->slots);
	free(p->old);
	_exit(p->fn(p->listener->fd, p->conf, p->arg));
}

static int
spawn(struct pool *p, struct slot *s)
{
	pid_t	 pid, parent = getpid();

	(void)fflush(NULL);
	if ((pid = fork()) == -1) {
		log_error("pool: fork: %s; trying again in 1 s",
		    strerror(errno));
		s->pid = 0;
		s->restart_at = now() + 1;
		return -1;
	}
	if (pid == 0)
		worker(p, parent);
	s->pid = pid;
	s->started = now();
	return 0;
}

static int
retire(struct pool *p, pid_t pid)
{
	pid_t	*grown;

	if (p->nold == p->oldcap) {
		if ((grown = realloc(p->old, (p->oldcap * 2 + 8) *
		    sizeof(*grown))) == NULL)
			return -1;
		p->old = grown;
		p->oldcap = p->oldcap * 2 + 8;
	}
	p->old[p->nold++] = pid;
	return 0;
}

/* "exited with status 3", "killed by signal 9". */
static void
describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		(void)snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		(void)snprintf(buf, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		(void)snprintf(buf, len, "ended (status %#x)", status);
}

/* A current worker died: schedule its replacement, and say so. */
static void
died(struct slot *s, int status)
{
	char	 how[96];
	double	 t = now(), lived = t - s->started;

	describe(status, how, sizeof(how));
	if (lived >= YOUNG)
		s->backoff = 0;
	else if (s->backoff == 0)
		s->backoff = BACKOFF_FIRST;
	else if ((s->backoff *= 2) > BACKOFF_MAX)
		s->backoff = BACKOFF_MAX;
	if (s->backoff > 0)
		log_error("pool: worker %ld %s after %.1f s; starting another "
		    "in %.1f s", (long)s->pid, how, lived, s->backoff);
	else
		log_error("pool: worker %ld %s after %.1f s; starting another",
		    (long)s->pid, how, lived);
	s->pid = 0;
	s->restart_at = t + s->backoff;
}

/* Collect every child that ended. */
static void
reap(struct pool *p)
{
	pid_t	 pid;
	size_t	 i;
	int	 status, j;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < p->nold && p->old[i] != pid; i++)
			continue;
		if (i < p->nold) {
			p->old[i] = p->old[--p->nold];
			continue;
		}
		for (j = 0; j < p->opts->workers; j++) {
			if (p->slots[j].pid != pid)
				continue;
			if (p->stopping)
				p->slots[j].pid = 0;
			else
				died(&p->slots[j], status);
			break;
		}
	}
}

/* Start the workers whose time has come; the next such time, or -1. */
static double
start_due(struct pool *p)
{
	double	 t = now(), next = -1;
	int	 j;

	for (j = 0; j < p->opts->workers; j++) {
		struct slot	*s = &p->slots[j];

		if (s->pid != 0)
			continue;
		if (s->restart_at <= t && spawn(p, s) == 0)
			continue;
		if (next < 0 || s->restart_at < next)
			next = s->restart_at;
	}
	return next;
}

/* 1 when the option file loads (why says why not). */
static int
conf_loads(const char *conf, char *why, size_t whylen)
{
	struct config	*cfg;
	int		 ok;

	if ((cfg = malloc(sizeof(*cfg))) == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		return 0;
	}
	ok = config_load(conf, cfg, why, whylen) == CA_OK;
	memset(cfg, 0, sizeof(*cfg));	/* the secret */
	free(cfg);
	return ok;
}

/* SIGHUP: new workers with the file as it is now; the old ones retire. */
static void
reload(struct pool *p)
{
	char	 why[512];
	pid_t	 pid;
	int	 j, started = 0;

	if (!conf_loads(p->conf, why, sizeof(why))) {
		log_error("pool: SIGHUP: %s; the running workers stay", why);
		return;
	}
	for (j = 0; j < p->opts->workers; j++) {
		struct slot	*s = &p->slots[j];

		if ((pid = s->pid) != 0 && retire(p, pid) == -1) {
			log_error("pool: SIGHUP: out of memory; the running "
			    "workers stay");
			break;
		}
		s->pid = 0;
		s->backoff = 0;
		s->restart_at = 0;
		if (spawn(p, s) == 0)
			started++;
		if (pid != 0)
			(void)kill(pid, SIGTERM);
	}
	log_error("pool: SIGHUP: %d new workers with %s; %zu old ones "
	    "finish their requests and leave", started, p->conf, p->nold);
}

static void
signal_all(struct pool *p, int sig)
{
	size_t	 i;
	int	 j;

	for (j = 0; j < p->opts->workers; j++)
		if (p->slots[j].pid != 0)
			(void)kill(p->slots[j].pid, sig);
	for (i = 0; i < p->nold; i++)
		(void)kill(p->old[i], sig);
}

static int
children(const struct pool *p)
{
	int	 j, n = (int)p->nold;

	for (j = 0; j < p->opts->workers; j++)
		n += p->slots[j].pid != 0;
	return n;
}

/* SIGTERM, SIGINT: no new connections; the workers finish and leave. */
static void
stop(struct pool *p, int sig)
{
	p->stopping = 1;
	p->stop_deadline = now() + p->opts->stop_seconds;
	listen_unlink(p->listener);
	signal_all(p, SIGTERM);
	log_error("pool: %s: stopping; %d workers finish their requests",
	    sig == SIGINT ? "SIGINT" : "SIGTERM", children(p));
}

/* Wait for a signal, at most until the time at (<0: no limit). */
static int
wait_signal(struct pool *p, double at)
{
	struct timespec	 ts, *tp = NULL;
	double		 d;
	int		 sig;

	if (at >= 0) {
		d = at - now();
		if (d < 0)
			d = 0;
		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
		tp = &ts;
	}
	while ((sig = sigtimedwait(&p->blocked, NULL, tp)) == -1 &&
	    errno == EINTR)
		continue;
	return sig;	/* -1: the time came (EAGAIN) */
}

int
pool_run(const struct serve_opts *opts, const char *conf,
    struct listener *l, pool_worker_fn *fn, void *arg)
{
	struct pool	 p;
	char		 why[512];
	double		 next;
	int		 sig, rc = 1;

	memset(&p, 0, sizeof(p));
	p.opts = opts;
	p.conf = conf;
	p.listener = l;
	p.fn = fn;
	p.arg = arg;
	if (!conf_loads(conf, why, sizeof(why))) {
		log_error("serve: %s", why);
		return 1;
	}
	if ((p.slots = calloc((size_t)opts->workers, sizeof(*p.slots))) ==
	    NULL) {
		log_error("serve: out of memory");
		return 1;
	}
	(void)sigemptyset(&p.blocked);
	(void)sigaddset(&p.blocked, SIGCHLD);
	(void)sigaddset(&p.blocked, SIGHUP);
	(void)sigaddset(&p.blocked, SIGTERM);
	(void)sigaddset(&p.blocked, SIGINT);
	if (sigprocmask(SIG_BLOCK, &p.blocked, &p.saved) == -1) {
		log_error("serve: sigprocmask: %s", strerror(errno));
		goto out;
	}
	if (opts->kind == SERVE_LISTEN_TCP)
		log_error("pool: %d workers on --listen socket %s%s%s:%s, "
		    "option file %s", opts->workers,
		    strchr(opts->host, ':') != NULL ? "[" : "", opts->host,
		    strchr(opts->host, ':') != NULL ? "]" : "", opts->port,
		    conf);
	else
		log_error("pool: %d workers on %s socket %s, option file %s",
		    opts->workers, l->source, l->path[0] != '\0' ? l->path :
		    "(handed over)", conf);
	for (;;) {
		next = p.stopping ? p.stop_deadline : start_due(&p);
		if (p.stopping && children(&p) == 0)
			break;
		sig = wait_signal(&p, next);
		if (sig == SIGCHLD)
			reap(&p);
		else if (sig == SIGHUP && !p.stopping)
			reload(&p);
		else if ((sig == SIGTERM || sig == SIGINT) && !p.stopping)
			stop(&p, sig);
		else if (sig == -1 && p.stopping &&
		    now() >= p.stop_deadline) {
			log_error("pool: %d workers still busy after %d s; "
			    "killing them", children(&p), opts->stop_seconds);
			signal_all(&p, SIGKILL);
			p.stop_deadline = now() + 60;
		}
		reap(&p);	/* SIGCHLDs merge: look every time */
	}
	log_error("pool: stopped");
	rc = 0;
out:
	listen_close(l);
	free(p.slots);
	free(p.old);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "http_auth_pool.h"

struct http_auth_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a job queued, or stopping */
	pthread_cond_t settled; /* a running job finished */
	struct http_auth_job *queue, **queue_tail;
	int queued;
	struct http_auth_job *done;
	const void *running[HTTP_AUTH_WORKERS]; /* tags of the jobs running, NULL: none */
	bool stopping;
	int efd;
	int n_threads;
	pthread_t threads[HTTP_AUTH_WORKERS];
};

struct worker_arg {
	struct http_auth_pool *p;
	int slot;
};

static void wake_loop(struct http_auth_pool *p)
{
	uint64_t one = 1;

	/* Full only after 2^64 - 1 wakes; the loop reads it down each time. */
	(void)!write(p->efd, &one, sizeof(one));
}

/* Under lock. */
static void push_done(struct http_auth_pool *p, struct http_auth_job *j)
{
	j->next = p->done;
	p->done = j;
}

static void *worker(void *arg)
{
	struct http_auth_pool *p = ((struct worker_arg *)arg)->p;
	int slot = ((struct worker_arg *)arg)->slot;
	struct http_auth_job *j;

	free(arg);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->queue && !p->stopping)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stopping)
			break;
		j = p->queue;
		p->queue = j->next;
		if (!p->queue)
			p->queue_tail = &p->queue;
		p->queued--;
		p->running[slot] = j->tag;
		pthread_mutex_unlock(&p->lock);
		http_auth_job_run(j);
		pthread_mutex_lock(&p->lock);
		p->running[slot] = NULL;
		push_done(p, j);
		pthread_cond_broadcast(&p->settled);
		wake_loop(p);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct http_auth_pool *http_auth_pool_new(void)
{
	struct http_auth_pool *p = calloc(1, sizeof(*p));
	sigset_t all, old;

	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->settled, NULL);
	p->queue_tail = &p->queue;
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->efd < 0) {
		http_auth_pool_free(p);
		return NULL;
	}
	/* Signals are the loop's (signalfd): the workers take none. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < HTTP_AUTH_WORKERS; i++) {
		struct worker_arg *a = malloc(sizeof(*a));

		if (!a)
			break;
		*a = (struct worker_arg){ p, i };
		if (pthread_create(&p->threads[i], NULL, worker, a)) {
			free(a);
			break;
		}
		p->n_threads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p->n_threads != HTTP_AUTH_WORKERS) {
		http_auth_pool_free(p);
		return NULL;
	}
	return p;
}

void http_auth_pool_free(struct http_auth_pool *p)
{
	struct http_auth_job *j;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	while ((j = p->queue)) {
		p->queue = j->next;
		http_auth_job_free(j);
	}
	while ((j = p->done)) {
		p->done = j->next;
		http_auth_job_free(j);
	}
	if (p->efd >= 0)
		close(p->efd);
	pthread_cond_destroy(&p->settled);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int http_auth_pool_fd(const struct http_auth_pool *p)
{
	return p->efd;
}

bool http_auth_pool_submit(struct http_auth_pool *p, struct http_auth_job *j, const void *tag)
{
	bool ok;

	pthread_mutex_lock(&p->lock);
	ok = p->queued < HTTP_AUTH_QUEUE;
	if (ok) {
		j->tag = tag;
		j->next = NULL;
		*p->queue_tail = j;
		p->queue_tail = &j->next;
		p->queued++;
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->lock);
	return ok;
}

struct http_auth_job *http_auth_pool_done(struct http_auth_pool *p)
{
	struct http_auth_job *j;
	uint64_t n;

	(void)!read(p->efd, &n, sizeof(n));
	pthread_mutex_lock(&p->lock);
	j = p->done;
	if (j)
		p->done = j->next;
	pthread_mutex_unlock(&p->lock);
	return j;
}

static bool running(const struct http_auth_pool *p, const void *tag)
{
	for (int i = 0; i < HTTP_AUTH_WORKERS; i++)
		if (p->running[i] == tag)
			return true;
	return false;
}

void http_auth_pool_cancel(struct http_auth_pool *p, const void *tag)
{
	struct http_auth_job **pp, *j;

	pthread_mutex_lock(&p->lock);
	for (pp = &p->queue; (j = *pp);) {
		if (j->tag != tag) {
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		p->queued--;
		push_done(p, j);
	}
	p->queue_tail = &p->queue;
	for (j = p->queue; j; j = j->next)
		p->queue_tail = &j->next;
	while (running(p, tag))
		pthread_cond_wait(&p->settled, &p->lock);
	pthread_mutex_unlock(&p->lock);
	wake_loop(p);
}

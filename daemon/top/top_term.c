// SPDX-License-Identifier: GPL-2.0
/*
 * No ncurses: the screen is redrawn whole each interval from the home
 * position, every line cleared to its end, so nothing depends on terminfo
 * beyond the ANSI/VT100 sequences every terminal emulator knows.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "top_term.h"

static struct termios saved;
static volatile sig_atomic_t active, resized;

static void put(const char *s);

/*
 * A signal may come in the middle of a scrape: restore the terminal right
 * here (write() and tcsetattr() are async-signal-safe), then die of the
 * signal as if no handler had been installed.
 */
static void on_quit(int sig)
{
	if (active) {
		active = 0;
		put("\033[?25h\033[?1049l");
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

static void put(const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(STDOUT_FILENO, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= n;
	}
}

void top_term_leave(void)
{
	if (!active)
		return;
	active = 0;
	/* Show the cursor, leave the alternate screen. */
	put("\033[?25h\033[?1049l");
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
}

int top_term_enter(void)
{
	struct sigaction quit = { .sa_handler = on_quit }, winch = { .sa_handler = on_winch };
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved))
		return -errno;
	raw = saved;
	raw.c_lflag &= ~(ICANON | ECHO | ISIG);
	raw.c_iflag &= ~(IXON | ICRNL);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	/* No SA_RESTART: a signal ends the wait in poll() at once. */
	if (sigaction(SIGINT, &quit, NULL) || sigaction(SIGTERM, &quit, NULL) ||
	    sigaction(SIGHUP, &quit, NULL) || sigaction(SIGWINCH, &winch, NULL))
		return -errno;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw))
		return -errno;
	active = 1;
	atexit(top_term_leave);
	put("\033[?1049h\033[?25l\033[2J");
	return 0;
}

void top_term_size(int *width, int *height)
{
	struct winsize ws;

	*width = 80;
	*height = 24;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		*width = ws.ws_col;
		*height = ws.ws_row;
	}
}

void top_term_draw(const struct top_screen *s)
{
	put("\033[H");
	for (size_t i = 0; i < s->n; i++) {
		put(s->lines[i]);
		/* No newline after the last row: it would scroll the screen. */
		put(i + 1 < s->n ? "\033[K\r\n" : "\033[K");
	}
	put("\033[J");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

bool top_term_wait(int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		long long left = deadline - now_ms();
		char keys[64];
		ssize_t n;

		if (resized) {
			resized = 0;
			return false;
		}
		if (left <= 0)
			return false;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(STDIN_FILENO, keys, sizeof(keys));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return true; /* the terminal is gone */
		for (ssize_t i = 0; i < n; i++)
			if (keys[i] == 'q' || keys[i] == 'Q' || keys[i] == 3)
				return true;
	}
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "conftext.h"

static void blank(char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != '\n')
			*p = ' ';
}

/* A top-level token, enough to tell "peer TITLE {" from "name = {". */
struct token {
	char *start;
	size_t len;
	char kind;		/* 'q' quoted, 'w' word, else the character */
};

struct scan {
	char *end, *p;
	unsigned line;
	unsigned depth;
	unsigned open_line;
	struct token last, prev;
	struct conftext *out;
	void (*report)(unsigned line, const char *msg);
	bool failed;
};

static void fail(struct scan *s, unsigned line, const char *msg)
{
	s->report(line, msg);
	s->failed = true;
}

static bool add_peer(struct conftext *t, char *title, unsigned line)
{
	size_t cap = t->cap_peers ? t->cap_peers * 2 : 16;
	void *p;

	if (t->n_peers == t->cap_peers) {
		p = realloc(t->peers, cap * sizeof(*t->peers));
		if (!p)
			return false;
		t->peers = p;
		t->cap_peers = cap;
	}
	t->peers[t->n_peers++] = (struct conftext_peer){ title, line };
	return true;
}

static void scan_to(struct scan *s, char *to)
{
	for (; s->p < to; s->p++)
		s->line += *s->p == '\n';
}

static void push_token(struct scan *s, char *start, size_t len, char kind)
{
	s->prev = s->last;
	s->last = (struct token){ start, len, kind };
}

/* The lexer's unquoted-string characters. */
static bool is_word_char(const char *p, const char *end)
{
	if (*p == '/')
		return !(p + 1 < end && (p[1] == '/' || p[1] == '*'));
	return !strchr(" #\"'\t\n\r={}()+,*", *p);
}

/* Skip a quoted string the way libconfuse's lexer does: a backslash
 * always takes the next character with it. */
static void scan_quoted(struct scan *s)
{
	char *start = s->p, *q = s->p + 1;

	for (; q < s->end && *q != *start; q++)
		if (*q == '\\' && q + 1 < s->end)
			q++;
	q = q < s->end ? q + 1 : s->end;
	scan_to(s, q);
	if (s->depth == 0)
		push_token(s, start, (size_t)(q - start), 'q');
}

static void scan_comment(struct scan *s)
{
	char *start = s->p, *stop;

	if (*start == '#' || start[1] == '/') {
		stop = memchr(start, '\n', (size_t)(s->end - start));
		stop = stop ? stop : s->end;
	} else {
		stop = memmem(start + 2, (size_t)(s->end - start - 2), "*/", 2);
		if (!stop) {
			fail(s, s->line, "unterminated /* comment");
			stop = s->end;
		} else {
			stop += 2;
		}
	}
	scan_to(s, stop);
	blank(start, stop);
}

static bool token_is(const struct token *t, const char *word)
{
	return t->kind == 'w' && t->len == strlen(word) && !memcmp(t->start, word, t->len);
}

/*
 * "peer TITLE {": keep the title and blank it out, so libconfuse sees an
 * untitled section.  Its titled sections cost a scan of all earlier ones
 * each (10,000 peers: 50 million compares); conf.c checks names for
 * duplicates after sorting instead.
 */
static void scan_section(struct scan *s)
{
	struct token *t = &s->last;
	char *title;

	if (token_is(t, "peer")) {
		fail(s, s->line, "peer: a peer section needs a name: peer \"NAME\" {");
		return;
	}
	if ((t->kind != 'q' && t->kind != 'w') || !token_is(&s->prev, "peer"))
		return;		/* a list, or for libconfuse to report */
	if (t->kind == 'q')
		title = strndup(t->start + 1, t->len >= 2 ? t->len - 2 : 0);
	else
		title = strndup(t->start, t->len);
	if (!title || !add_peer(s->out, title, s->line)) {
		free(title);
		fail(s, 0, "out of memory");
		return;
	}
	blank(t->start, t->start + t->len);
}

static void scan_brace(struct scan *s)
{
	if (*s->p == '{') {
		if (s->depth == 0) {
			s->open_line = s->line;
			scan_section(s);
		}
		s->depth++;
	} else if (s->depth > 0 && --s->depth == 0) {
		s->last.kind = s->prev.kind = 0;
	}
	s->p++;
}

static void scan_word(struct scan *s)
{
	char *start = s->p;

	while (s->p < s->end && is_word_char(s->p, s->end))
		s->p++;
	if (s->depth == 0)
		push_token(s, start, (size_t)(s->p - start), 'w');
}

/*
 * Before libconfuse sees the text: blank out comments, because libconfuse
 * 3.3 counts the lines of every comment two or three times and refuses a
 * comment inside a list (same rules as its lexer: '#' and '//' to the end
 * of the line, C comments, all outside quoted strings); take the titles
 * off peer sections (scan_section); and count braces, because libconfuse
 * takes a section left open at the end of the file as complete.
 */
int conftext_prepare(char *text, size_t len, struct conftext *out,
		     void (*report)(unsigned line, const char *msg))
{
	struct scan s = { .end = text + len, .p = text, .line = 1, .out = out,
			  .report = report };

	while (s.p < s.end) {
		char c = *s.p;

		if (c == '"' || c == '\'')
			scan_quoted(&s);
		else if (c == '#' || (c == '/' && s.p + 1 < s.end && (s.p[1] == '/' || s.p[1] == '*')))
			scan_comment(&s);
		else if (c == '{' || c == '}')
			scan_brace(&s);
		else if (is_word_char(s.p, s.end))
			scan_word(&s);
		else {
			if (s.depth == 0 && !strchr(" \t\r\n", c))
				push_token(&s, s.p, 1, c);
			scan_to(&s, s.p + 1);
		}
	}
	if (s.depth > 0)
		fail(&s, s.open_line, "'{' opened here is never closed");
	return s.failed ? -1 : 0;
}

void conftext_free(struct conftext *t)
{
	for (size_t i = 0; i < t->n_peers; i++)
		free(t->peers[i].title);
	free(t->peers);
	t->peers = NULL;
	t->n_peers = t->cap_peers = 0;
}

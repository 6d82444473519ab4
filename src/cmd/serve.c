// SPDX-License-Identifier: GPL-2.0
/*
 * `tamtrace serve`: a Prometheus exporter. Faults are counted per key in
 * BPF (keytab); GET /metrics reads them (libmicrohttpd, in its own
 * thread), and --textfile writes the same exposition for node_exporter.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include "cmds.h"
#include "exitcodes.h"
#include "hist_maps.h"
#include "keytab.h"
#include "modes.h"
#include "prom.h"
#include "session.h"

#define DEFAULT_LISTEN "127.0.0.1:9478"
#define COLLECT_NS 1000000000ULL	/* slots to keys, idle slots back */
#define TEXTFILE_NS 5000000000ULL
#define MAX_CONNS 16			/* more wait in the listen backlog */
#define CONN_MEMORY (32 * 1024)		/* bounds a request's size */
#define CONN_TIMEOUT_S 10

struct serve {
	struct sink sink;
	const struct tt_opts *o;
	struct session *s;
	pthread_mutex_t lock;	/* keytab and the tracer's maps */
	struct keytab k;
	bool ready;		/* attached, keytab set up */
	struct MHD_Daemon *httpd;
	int listen_fd;
	struct histdata lat;	/* only its latency histograms */
	unsigned long long next_collect, next_textfile;
	bool textfile_failing;
	bool http;		/* not --listen off */
};

/* ADDR:PORT, [V6ADDR]:PORT; 0 or -EINVAL. */
static int parse_listen(const char *arg, struct sockaddr_storage *ss,
			socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	const char *colon = strrchr(arg, ':');
	char host[128], *end;
	unsigned long port;

	if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(host))
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port > 65535)
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - arg), arg);
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = 0;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ?
		       0 : -EINVAL;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	*len = sizeof(*s4);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -EINVAL;
}

/* The listening socket, before anything is loaded: a port in use is
 * said at once. Returns 0 or an enum tt_exit. */
static int open_listen(struct serve *v, const char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	if (parse_listen(arg, &ss, &len)) {
		fprintf(stderr, "tamtrace serve: invalid --listen '%s' "
			"(ADDR:PORT, [ADDR6]:PORT)\n", arg);
		return TT_EXIT_USAGE;
	}
	v->listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (v->listen_fd < 0 ||
	    setsockopt(v->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) ||
	    bind(v->listen_fd, (struct sockaddr *)&ss, len) ||
	    listen(v->listen_fd, 128)) {
		fprintf(stderr, "tamtrace serve: cannot listen on %s: %s\n",
			arg, strerror(errno));
		return TT_EXIT_LISTEN;
	}
	return 0;
}

static char *textfile_path(const struct serve *v, bool tmp, char *buf,
			   size_t len)
{
	if (tmp)
		snprintf(buf, len, "%s/.tamtrace.prom.%d.tmp", v->o->textfile,
			 getpid());
	else
		snprintf(buf, len, "%s/tamtrace.prom", v->o->textfile);
	return buf;
}

/* Can we write in --textfile DIR? Said before anything is loaded. */
static int check_textfile(struct serve *v)
{
	char tmp[4096];
	int fd;

	if (!v->o->textfile)
		return 0;
	fd = open(textfile_path(v, true, tmp, sizeof(tmp)),
		  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "tamtrace serve: cannot write in the textfile "
			"directory %s: %s\n", v->o->textfile, strerror(errno));
		return TT_EXIT_TEXTFILE;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

/* The exposition into @f, with the counters read now. Locked. */
static int expose(struct serve *v, FILE *f, bool openmetrics)
{
	struct prom_ctx *c = calloc(1, sizeof(*c));
	struct tt_losses l;
	int err;

	if (!c)
		return -ENOMEM;
	err = keytab_collect(&v->k);
	err = err ?: session_losses(v->s, &l);
	c->k = &v->k;
	c->losses = &l;
	c->mode = mode_name(v->s->mode);
	c->has_lat = mode_desc(v->s->mode)->has_latency;
	c->openmetrics = openmetrics;
	c->memory = true;
	if (!err && c->has_lat) {
		err = histdata_read_lat(&v->lat, v->s->tr, false);
		memcpy(c->lat, v->lat.lat, sizeof(c->lat));
	}
	err = err ?: prom_write(f, c);
	free(c);
	return err;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     const char *type, char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn,
				  unsigned int code, const char *text)
{
	char *body = strdup(text);

	return body ? reply(conn, code, "text/plain; charset=utf-8", body,
			    strlen(text)) : MHD_NO;
}

/* GET /metrics; 404 elsewhere. Errors are logged, requests are not. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct serve *v = cls;
	const char *accept = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	bool om = accept && strstr(accept, "application/openmetrics-text");
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int err = -ENOMEM;

	(void)version; (void)data; (void)data_size; (void)con_cls;
	if (strcmp(url, "/metrics"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND,
				  "404 not found: try /metrics\n");
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "405 method not allowed\n");
	f = open_memstream(&body, &len);
	pthread_mutex_lock(&v->lock);
	if (f && v->ready)
		err = expose(v, f, om);
	else if (f)
		err = -EAGAIN;
	pthread_mutex_unlock(&v->lock);
	if (f && fclose(f) && !err)
		err = -errno;
	if (!err)
		return reply(conn, MHD_HTTP_OK, prom_content_type(om), body,
			     len);
	free(body);
	if (err != -EAGAIN)
		fprintf(stderr, "tamtrace serve: scrape failed: %s\n",
			strerror(-err));
	return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			  err == -EAGAIN ? "503 starting\n" :
					   "503 reading the counters failed\n");
}

static int start_httpd(struct serve *v)
{
	v->httpd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
		on_request, v,
		MHD_OPTION_LISTEN_SOCKET, v->listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
		MHD_OPTION_END);
	if (!v->httpd) {
		fprintf(stderr, "tamtrace serve: cannot start the HTTP server\n");
		return TT_EXIT_LISTEN;
	}
	return 0;
}

/* temp file, then rename: node_exporter never reads half a file. */
static void write_textfile(struct serve *v)
{
	char tmp[4096], dst[4096];
	FILE *f;
	int err = -errno;

	f = fopen(textfile_path(v, true, tmp, sizeof(tmp)), "we");
	if (f) {
		err = expose(v, f, false);
		if (fclose(f) && !err)
			err = -errno;
		if (!err && rename(tmp, textfile_path(v, false, dst,
						       sizeof(dst))))
			err = -errno;
		if (err)
			unlink(tmp);
	} else {
		err = -errno;
	}
	if (err && !v->textfile_failing)
		fprintf(stderr, "tamtrace serve: writing %s: %s\n",
			textfile_path(v, false, dst, sizeof(dst)),
			strerror(-err));
	v->textfile_failing = err != 0;
}

static int serve_start(struct sink *k, struct session *s)
{
	struct serve *v = (struct serve *)k;
	int err;

	pthread_mutex_lock(&v->lock);
	v->s = s;
	err = keytab_init(&v->k, s->tr, v->o->by, v->o->top_n);
	v->ready = !err;
	if (v->o->textfile && v->ready)
		write_textfile(v);
	pthread_mutex_unlock(&v->lock);
	if (err)
		fprintf(stderr, "tamtrace serve: %s\n", strerror(-err));
	else if (v->http)
		fprintf(stderr, "tamtrace serve: serving http://%s/metrics\n",
			v->o->listen);
	else
		fprintf(stderr, "tamtrace serve: writing %s/tamtrace.prom\n",
			v->o->textfile);
	return err;
}

static int serve_tick(struct sink *k, struct session *s)
{
	struct serve *v = (struct serve *)k;
	unsigned long long now = now_ns();
	int err = 0;

	(void)s;
	if (!v->ready || now < v->next_collect)
		return 0;
	pthread_mutex_lock(&v->lock);
	err = keytab_collect(&v->k);
	if (v->o->textfile && now >= v->next_textfile) {
		write_textfile(v);
		v->next_textfile = now + TEXTFILE_NS;
	}
	pthread_mutex_unlock(&v->lock);
	v->next_collect = now + COLLECT_NS;
	if (err)
		fprintf(stderr, "tamtrace serve: reading the counters: %s\n",
			strerror(-err));
	return 0;
}

static int serve_finish(struct sink *k, struct session *s,
			const struct tt_losses *l)
{
	struct serve *v = (struct serve *)k;

	(void)s; (void)l;
	if (v->httpd)
		MHD_stop_daemon(v->httpd);
	v->httpd = NULL;
	if (v->ready && v->o->textfile)
		write_textfile(v);
	return TT_EXIT_OK;
}

static const struct sink_ops serve_ops = {
	.start = serve_start,
	.tick = serve_tick,
	.finish = serve_finish,
};

int serve_main(int argc, char **argv)
{
	struct session s = {};
	struct serve *v = calloc(1, sizeof(*v));
	struct tt_opts o;
	int code;

	if (!v)
		return TT_EXIT_ERROR;
	if (!cli_parse(TT_CMD_SERVE, argc, argv, &o, &code))
		goto out;
	if (!o.listen)
		o.listen = DEFAULT_LISTEN;
	v->sink.ops = &serve_ops;
	v->o = &o;
	v->listen_fd = -1;
	pthread_mutex_init(&v->lock, NULL);
	/* --listen off: the textfile only, no port open (and no network:
	 * the test VMs have none) */
	v->http = strcmp(o.listen, "off");
	if (!v->http && !o.textfile) {
		code = cli_usage_error(&o, "--listen off needs --textfile DIR");
		goto out;
	}
	code = v->http ? open_listen(v, o.listen) : 0;
	code = code ?: check_textfile(v);
	code = code ?: v->http ? start_httpd(v) : 0;
	if (!code) {
		s.cfg.serve = true;
		s.cfg.serve_by = o.by;
		code = session_run(&s, &o, &v->sink);
	}
	if (v->httpd)
		MHD_stop_daemon(v->httpd);
	if (v->listen_fd >= 0)
		close(v->listen_fd);
	keytab_free(&v->k);
out:
	free(v);
	return code;
}

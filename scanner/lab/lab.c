/* scanner/lab/lab.c: the built-in loopback lab (see lab.h).
 *
 * One server thread runs a poll() loop over the listeners and their
 * connections; TLS endpoints drive BoringSSL's SSL_do_handshake on
 * non-blocking sockets. This is a test fixture, not the hot path, so it uses
 * plain poll and a fixed table of connections. A probe closes as soon as it
 * has the ServerHello, so most handshakes here end in a read error, which is
 * expected and ignored. The key is an ECDSA P-256 key made at start: quick to
 * generate, and usable from TLS 1.0 (ECDHE-ECDSA suites) to TLS 1.3. */
#include "scanner/lab/lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scanner/proto/appcheck.h"
#include "tlsparse/tlsparse.h"

static const struct lab_endpoint kEndpoints[] = {
    {"tls1.0-only", LAB_TLS, TP_TLS10, TP_TLS10, ""},
    {"tls1.0-1.1", LAB_TLS, TP_TLS10, TP_TLS11, ""},
    {"tls1.0-1.2", LAB_TLS, TP_TLS10, TP_TLS12, ""},
    {"tls1.0-1.3", LAB_TLS, TP_TLS10, TP_TLS13, ""},
    {"tls1.1-1.2", LAB_TLS, TP_TLS11, TP_TLS12, ""},
    {"tls1.2-only", LAB_TLS, TP_TLS12, TP_TLS12, ""},
    {"tls1.2-1.3", LAB_TLS, TP_TLS12, TP_TLS13, ""},
    {"tls1.3-only", LAB_TLS, TP_TLS13, TP_TLS13, ""},
    {"smtp-starttls-1.0-1.2", LAB_SMTP, TP_TLS10, TP_TLS12, ""},
    {"imap-starttls-1.2-1.3", LAB_IMAP, TP_TLS12, TP_TLS13, ""},
    {"pop3-stls-1.0-1.3", LAB_POP3, TP_TLS10, TP_TLS13, ""},
    {"pop3s-retiring-legacy", LAB_POP3S_RETIRING, TP_TLS10, TP_TLS13, ""},
    {"plaintext-http", LAB_PLAINTEXT, 0, 0, ""},
    {"silent", LAB_SILENT, 0, 0, ""},
    {"reset", LAB_RESET, 0, 0, ""},
    {"closed-port", LAB_CLOSED, 0, 0, ""},
};

#define NUM_ENDPOINTS (sizeof(kEndpoints) / sizeof(kEndpoints[0]))
#define MAX_CONNS 256

struct lab_conn {
  int fd;                 /* -1: unused */
  size_t ep;
  SSL *ssl;               /* set once TLS starts (after the dialogue, for mail) */
  size_t line_len;        /* the mail dialogue's current client line */
  char line[512];
};

struct lab {
  struct lab_endpoint eps[NUM_ENDPOINTS];
  int listen_fd[NUM_ENDPOINTS];
  SSL_CTX *ctx[NUM_ENDPOINTS];
  struct lab_conn conns[MAX_CONNS];
  int stop_pipe[2];
  pthread_t thread;
  int running;
};

static int speaks_tls(enum lab_kind kind) {
  return kind == LAB_TLS || kind == LAB_SMTP || kind == LAB_IMAP || kind == LAB_POP3 ||
         kind == LAB_POP3S_RETIRING;
}

static const char *scheme_of(enum lab_kind kind) {
  switch (kind) {
    case LAB_SMTP: return "smtp://";
    case LAB_IMAP: return "imap://";
    case LAB_POP3: return "pop3://";
    case LAB_POP3S_RETIRING: return "pop3s://";
    default: return "";
  }
}

static int make_key_and_cert(EVP_PKEY **out_key, X509 **out_cert) {
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EVP_PKEY *key = EVP_PKEY_new();
  X509 *cert = X509_new();
  int ok = ec != NULL && key != NULL && cert != NULL && EC_KEY_generate_key(ec) &&
           EVP_PKEY_assign_EC_KEY(key, ec);
  if (ok) {
    ec = NULL; /* owned by key now */
    X509_NAME *name = X509_get_subject_name(cert);
    ok = X509_set_version(cert, 2) &&
         ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) &&
         X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
         X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * 365) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)"tlssweep lab", -1, -1, 0) &&
         X509_set_issuer_name(cert, name) && X509_set_pubkey(cert, key) &&
         X509_sign(cert, key, EVP_sha256());
  }
  EC_KEY_free(ec);
  if (!ok) {
    EVP_PKEY_free(key);
    X509_free(cert);
    return 0;
  }
  *out_key = key;
  *out_cert = cert;
  return 1;
}

static int listen_on(uint32_t addr_host_order, int do_listen, uint16_t *out_port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(addr_host_order)};
  socklen_t len = sizeof(sin);
  if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
      (do_listen && listen(fd, 128) != 0) ||
      getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
    close(fd);
    return -1;
  }
  *out_port = ntohs(sin.sin_port);
  return fd;
}

static void conn_close(struct lab_conn *c, int reset) {
  if (reset) {
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  }
  SSL_free(c->ssl);
  close(c->fd);
  c->fd = -1;
  c->ssl = NULL;
}

static void say(int fd, const char *text) {
  ssize_t w = write(fd, text, strlen(text)); /* a few bytes to a fresh socket */
  (void)w;
}

/* start_tls_on hands the connection to BoringSSL. Returns 0 when it cannot. */
static int start_tls_on(struct lab *lab, struct lab_conn *c) {
  c->ssl = SSL_new(lab->ctx[c->ep]);
  if (c->ssl == NULL || !SSL_set_fd(c->ssl, c->fd)) {
    return 0;
  }
  SSL_set_accept_state(c->ssl);
  return 1;
}

/* mail_line answers one client line of the lab's mail dialogue, like a
 * minimal Postfix, Dovecot IMAP or Dovecot POP3. Returns 1 when TLS starts
 * next, 0 to go on, -1 to close. */
static int mail_line(enum lab_kind kind, int fd, const char *line) {
  if (kind == LAB_SMTP) {
    if (strncasecmp(line, "EHLO ", 5) == 0) {
      say(fd, "250-lab.tlssweep.invalid\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n");
    } else if (strcasecmp(line, "STARTTLS") == 0) {
      say(fd, "220 2.0.0 Ready to start TLS\r\n");
      return 1;
    } else if (strcasecmp(line, "QUIT") == 0) {
      return -1;
    } else {
      say(fd, "502 5.5.2 Error: command not recognized\r\n");
    }
    return 0;
  }
  if (kind == LAB_POP3) {
    if (strcasecmp(line, "STLS") == 0) {
      say(fd, "+OK Begin TLS negotiation now.\r\n");
      return 1;
    }
    say(fd, "-ERR Unknown command.\r\n");
    return 0;
  }
  /* IMAP: "<tag> STARTTLS" */
  const char *space = strchr(line, ' ');
  if (space != NULL && strcasecmp(space + 1, "STARTTLS") == 0 && space - line < 64) {
    char reply[128];
    snprintf(reply, sizeof(reply), "%.*s OK Begin TLS negotiation now.\r\n", (int)(space - line),
             line);
    say(fd, reply);
    return 1;
  }
  say(fd, "* BAD Error in IMAP command received by server.\r\n");
  return 0;
}

/* on_mail_bytes reads the client's dialogue lines until TLS starts. */
static void on_mail_bytes(struct lab *lab, struct lab_conn *c, enum lab_kind kind) {
  char buf[512];
  ssize_t n = read(c->fd, buf, sizeof(buf));
  if (n <= 0) {
    conn_close(c, 0);
    return;
  }
  for (ssize_t i = 0; i < n; i++) {
    if (buf[i] == '\r') {
      continue;
    }
    if (buf[i] != '\n') {
      if (c->line_len + 1 >= sizeof(c->line)) {
        conn_close(c, 0); /* a line too long for any command */
        return;
      }
      c->line[c->line_len++] = buf[i];
      continue;
    }
    c->line[c->line_len] = '\0';
    c->line_len = 0;
    int next = mail_line(kind, c->fd, c->line);
    if (next < 0 || (next == 1 && !start_tls_on(lab, c))) {
      conn_close(c, 0);
      return;
    }
    if (next == 1) {
      /* The client waits for the go-ahead before its hello, so nothing of
       * TLS can be in this read. */
      return;
    }
  }
}

static void say_tls(struct lab_conn *c, const char *text) {
  SSL_write(c->ssl, text, (int)strlen(text)); /* small; the socket takes it at once */
}

/* on_tls_ready runs when a handshake completes: a plain TLS endpoint has no
 * service behind it and closes; the retiring POP3S server greets, or, for
 * TLS 1.0 and 1.1, refuses in POP3 as Exchange Online did. Returns 0 to
 * close. */
static int on_tls_ready(struct lab_conn *c, enum lab_kind kind) {
  c->line_len = 0;
  if (kind == LAB_POP3S_RETIRING) {
    if (SSL_version(c->ssl) < TLS1_2_VERSION) {
      say_tls(c, "-ERR TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to "
                 "support TLS 1.2. Visit https://aka.ms/popimap_tls\r\n");
      return 0;
    }
    say_tls(c, "+OK The lab POP3 service is ready.\r\n");
    return 1;
  }
  return kind == LAB_SMTP || kind == LAB_IMAP || kind == LAB_POP3;
}

/* on_tls_bytes answers the client's first command inside TLS (EHLO,
 * CAPABILITY, CAPA), as the mail servers the lab stands for would. */
static void on_tls_bytes(struct lab_conn *c, enum lab_kind kind) {
  char buf[512];
  int n = SSL_read(c->ssl, buf, sizeof(buf));
  if (n <= 0) {
    int err = SSL_get_error(c->ssl, n);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      conn_close(c, 0);
    }
    return;
  }
  for (int i = 0; i < n; i++) {
    if (buf[i] == '\r') {
      continue;
    }
    if (buf[i] != '\n') {
      if (c->line_len + 1 < sizeof(c->line)) {
        c->line[c->line_len++] = buf[i];
      }
      continue;
    }
    c->line[c->line_len] = '\0';
    c->line_len = 0;
    if (kind == LAB_SMTP) {
      say_tls(c, "250-lab.tlssweep.invalid\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
    } else if (kind == LAB_IMAP) {
      const char *space = strchr(c->line, ' ');
      char reply[160];
      snprintf(reply, sizeof(reply),
               "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n%.*s OK Capability completed.\r\n",
               space != NULL && space - c->line < 64 ? (int)(space - c->line) : 1,
               space != NULL ? c->line : "*");
      say_tls(c, reply);
    } else {
      say_tls(c, "+OK\r\nUSER\r\nUIDL\r\n.\r\n");
    }
  }
}

static const char kHttpAnswer[] =
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

static void on_accept(struct lab *lab, size_t ep) {
  int fd = accept4(lab->listen_fd[ep], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    return;
  }
  struct lab_conn *c = NULL;
  for (size_t i = 0; i < MAX_CONNS; i++) {
    if (lab->conns[i].fd < 0) {
      c = &lab->conns[i];
      break;
    }
  }
  if (c == NULL) {
    close(fd);
    return;
  }
  c->fd = fd;
  c->ep = ep;
  c->ssl = NULL;
  c->line_len = 0;
  switch (lab->eps[ep].kind) {
    case LAB_RESET:
      conn_close(c, 1);
      return;
    case LAB_PLAINTEXT:
      /* Wait for the hello like a real server, then answer; see on_ready. */
      return;
    case LAB_SILENT:
      return;
    case LAB_TLS:
    case LAB_POP3S_RETIRING:
      if (!start_tls_on(lab, c)) {
        conn_close(c, 0);
      }
      return;
    case LAB_SMTP:
      say(fd, "220 lab.tlssweep.invalid ESMTP Postfix (Debian/GNU)\r\n");
      return;
    case LAB_IMAP:
      say(fd, "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
              "STARTTLS LOGINDISABLED] Dovecot (Debian) ready.\r\n");
      return;
    case LAB_POP3:
      say(fd, "+OK Dovecot (Debian) ready.\r\n");
      return;
    case LAB_CLOSED:
      conn_close(c, 0);
      return;
  }
}

static void on_ready(struct lab *lab, struct lab_conn *c, enum lab_kind kind) {
  if (c->ssl == NULL && (kind == LAB_SMTP || kind == LAB_IMAP || kind == LAB_POP3)) {
    on_mail_bytes(lab, c, kind);
    return;
  }
  if (kind == LAB_PLAINTEXT) {
    char buf[2048];
    ssize_t n = read(c->fd, buf, sizeof(buf));
    if (n > 0) {
      ssize_t w = write(c->fd, kHttpAnswer, sizeof(kHttpAnswer) - 1);
      (void)w;
    }
    conn_close(c, 0);
    return;
  }
  if (kind == LAB_SILENT) {
    char buf[2048];
    ssize_t n = read(c->fd, buf, sizeof(buf));
    if (n <= 0) {
      conn_close(c, 0); /* the prober gave up */
    }
    return;
  }
  if (!SSL_is_init_finished(c->ssl)) {
    int rc = SSL_do_handshake(c->ssl);
    if (rc != 1) {
      int err = SSL_get_error(c->ssl, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        conn_close(c, 0);
      }
      return;
    }
    if (!on_tls_ready(c, kind)) {
      conn_close(c, 0);
    }
    return;
  }
  on_tls_bytes(c, kind);
}

static void *lab_main(void *arg) {
  struct lab *lab = arg;
  struct pollfd pfd[1 + NUM_ENDPOINTS + MAX_CONNS];
  size_t conn_of[1 + NUM_ENDPOINTS + MAX_CONNS];
  for (;;) {
    size_t n = 0;
    pfd[n++] = (struct pollfd){.fd = lab->stop_pipe[0], .events = POLLIN};
    for (size_t i = 0; i < NUM_ENDPOINTS; i++) {
      if (lab->eps[i].kind != LAB_CLOSED) {
        conn_of[n] = SIZE_MAX - i;
        pfd[n++] = (struct pollfd){.fd = lab->listen_fd[i], .events = POLLIN};
      }
    }
    for (size_t i = 0; i < MAX_CONNS; i++) {
      if (lab->conns[i].fd >= 0) {
        conn_of[n] = i;
        pfd[n++] = (struct pollfd){.fd = lab->conns[i].fd, .events = POLLIN};
      }
    }
    if (poll(pfd, n, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (pfd[0].revents) {
      break;
    }
    for (size_t k = 1; k < n; k++) {
      if (pfd[k].revents == 0) {
        continue;
      }
      if (conn_of[k] > MAX_CONNS) {
        on_accept(lab, SIZE_MAX - conn_of[k]);
      } else {
        struct lab_conn *c = &lab->conns[conn_of[k]];
        if (c->fd >= 0) {
          on_ready(lab, c, lab->eps[c->ep].kind);
        }
      }
    }
  }
  return NULL;
}

struct lab *lab_start(char *err, size_t errcap) {
  struct lab *lab = calloc(1, sizeof(*lab));
  if (lab == NULL) {
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < MAX_CONNS; i++) {
    lab->conns[i].fd = -1;
  }
  lab->stop_pipe[0] = lab->stop_pipe[1] = -1;
  for (size_t i = 0; i < NUM_ENDPOINTS; i++) {
    lab->listen_fd[i] = -1;
  }
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  if (!make_key_and_cert(&key, &cert)) {
    snprintf(err, errcap, "cannot make the lab's key and certificate");
    free(lab);
    return NULL;
  }
  int ok = pipe2(lab->stop_pipe, O_CLOEXEC) == 0;
  for (size_t i = 0; ok && i < NUM_ENDPOINTS; i++) {
    lab->eps[i] = kEndpoints[i];
    /* 127.77.0.x: one loopback address per endpoint, so per-host limits and
     * the report tell them apart. */
    uint32_t addr = (127u << 24) | (77u << 16) | (uint32_t)(i + 1);
    uint16_t port = 0;
    lab->listen_fd[i] = listen_on(addr, lab->eps[i].kind != LAB_CLOSED, &port);
    if (lab->listen_fd[i] < 0) {
      snprintf(err, errcap, "cannot listen on 127.77.0.%zu: %s", i + 1, strerror(errno));
      ok = 0;
      break;
    }
    snprintf(lab->eps[i].target, sizeof(lab->eps[i].target), "%s127.77.0.%zu:%u",
             scheme_of(lab->eps[i].kind), i + 1, port);
    if (speaks_tls(lab->eps[i].kind)) {
      SSL_CTX *ctx = SSL_CTX_new(TLS_method());
      lab->ctx[i] = ctx;
      ok = ctx != NULL && SSL_CTX_use_certificate(ctx, cert) &&
           SSL_CTX_use_PrivateKey(ctx, key) &&
           SSL_CTX_set_min_proto_version(ctx, lab->eps[i].min) &&
           SSL_CTX_set_max_proto_version(ctx, lab->eps[i].max) &&
           SSL_CTX_set_cipher_list(ctx, "ALL");
      if (!ok) {
        snprintf(err, errcap, "cannot configure the lab's TLS server %s", lab->eps[i].name);
      }
    }
  }
  EVP_PKEY_free(key);
  X509_free(cert);
  if (ok && pthread_create(&lab->thread, NULL, lab_main, lab) == 0) {
    lab->running = 1;
    return lab;
  }
  if (ok) {
    snprintf(err, errcap, "cannot start the lab's thread");
  }
  lab_stop(lab);
  return NULL;
}

size_t lab_count(const struct lab *lab) {
  (void)lab;
  return NUM_ENDPOINTS;
}

const struct lab_endpoint *lab_endpoint_at(const struct lab *lab, size_t i) {
  return i < NUM_ENDPOINTS ? &lab->eps[i] : NULL;
}

const struct lab_endpoint *lab_find(const struct lab *lab, const char *label) {
  for (size_t i = 0; i < NUM_ENDPOINTS; i++) {
    if (strcmp(lab->eps[i].name, label) == 0) {
      return &lab->eps[i];
    }
  }
  return NULL;
}

int lab_check(const struct lab_endpoint *ep, const struct scan_result *r, char *why,
              size_t whycap) {
  if (ep->kind == LAB_CLOSED) {
    if (r->status != STATUS_UNREACHABLE) {
      snprintf(why, whycap, "expected status unreachable");
      return 0;
    }
    return 1;
  }
  if (r->status != STATUS_OK) {
    snprintf(why, whycap, "expected status ok");
    return 0;
  }
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (!(r->versions_selected & (1u << pv))) {
      continue;
    }
    const struct version_result *v = &r->v[pv];
    uint16_t wire = probe_version_wire((enum probe_version)pv);
    int ok;
    switch (ep->kind) {
      case LAB_TLS:
      case LAB_SMTP:
      case LAB_IMAP:
      case LAB_POP3:
      case LAB_POP3S_RETIRING:
        ok = (wire >= ep->min && wire <= ep->max) == (v->outcome == OUTCOME_ACCEPTED);
        break;
      case LAB_PLAINTEXT:
        ok = v->outcome == OUTCOME_REJECTED && v->reason == REJECT_NOT_TLS;
        break;
      case LAB_SILENT:
        ok = v->outcome == OUTCOME_TIMEOUT;
        break;
      case LAB_RESET:
        ok = v->outcome == OUTCOME_REJECTED &&
             (v->reason == REJECT_RESET || v->reason == REJECT_CLOSED);
        break;
      default:
        ok = 0;
        break;
    }
    if (!ok) {
      snprintf(why, whycap, "%s: unexpected verdict", probe_version_name((enum probe_version)pv));
      return 0;
    }
    /* Where a confirmation ran, it must have seen what the endpoint does:
     * the retiring server completes TLS 1.0/1.1 and refuses in POP3. */
    const struct confirm_result *cr = &v->confirm;
    if (cr->runs > 0) {
      int legacy = wire < TP_TLS12;
      int want_refused = ep->kind == LAB_POP3S_RETIRING && legacy;
      int app_ok = cr->app == APP_OK || cr->app == APP_UNCHECKED;
      if (!cr->handshake_ok || (want_refused ? cr->app != APP_REFUSED : !app_ok)) {
        snprintf(why, whycap, "%s: unexpected confirmation (handshake %d, app %s)",
                 probe_version_name((enum probe_version)pv), cr->handshake_ok,
                 cr->app_name != NULL ? cr->app_name : "?");
        return 0;
      }
    }
  }
  return 1;
}

void lab_stop(struct lab *lab) {
  if (lab == NULL) {
    return;
  }
  if (lab->running) {
    ssize_t w = write(lab->stop_pipe[1], "x", 1);
    (void)w;
    pthread_join(lab->thread, NULL);
  }
  for (size_t i = 0; i < MAX_CONNS; i++) {
    if (lab->conns[i].fd >= 0) {
      conn_close(&lab->conns[i], 0);
    }
  }
  for (size_t i = 0; i < NUM_ENDPOINTS; i++) {
    if (lab->listen_fd[i] >= 0) {
      close(lab->listen_fd[i]);
    }
    SSL_CTX_free(lab->ctx[i]);
  }
  if (lab->stop_pipe[0] >= 0) {
    close(lab->stop_pipe[0]);
    close(lab->stop_pipe[1]);
  }
  free(lab);
}

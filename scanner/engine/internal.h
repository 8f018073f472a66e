/* scanner/engine/internal.h: what the engine's files share, and nothing
 * outside scanner/engine/ includes (engine.h is the public face).
 *
 * One engine is one thread with one io_uring. Its state is a few dense
 * arrays sized at start, so that nothing is allocated per probe and memory
 * is paid only for what is in use:
 *
 *   conns[]     one small header per connection slot (concurrency of them);
 *               slot i is also file i of the ring's registered file table.
 *   targets[]   one compact state per target in flight: its address, what
 *               is left to do, and the small facts of each version's answer.
 *   side pools  the bulky things only some connections need, each taken
 *               when needed and given back at once, lowest index first, so
 *               their touched memory follows what is in use, not the
 *               concurrency: a STARTTLS dialogue, a response reader (from
 *               the first byte of the answer to the verdict), a send buffer
 *               for a hello (until the send completes), a BoringSSL client
 *               (confirmations and bench handshakes), and a target's extras
 *               (dialogue replies, first bytes, confirmation details, the
 *               certificate). Receives land in a ring of provided buffers
 *               shared by all connections and go back after each completion.
 *
 * A connection has a kind (conn_kind): a probe, a fallback probe, a
 * connect-only probe (the benchmark floor), a confirmation or a bench
 * handshake. The kind is a const table of what to do when the connection is
 * ready for TLS, when bytes arrive, when a send has gone and when it failed;
 * conn.c runs the life every kind shares (connect, the STARTTLS dialogue,
 * receive and send, close) and calls into the table. */
#ifndef SCANNER_ENGINE_INTERNAL_H
#define SCANNER_ENGINE_INTERNAL_H

#include <ares.h>
#include <liburing.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/engine/engine.h"
#include "scanner/engine/keyshare.h"
#include "scanner/engine/slots.h"
#include "scanner/output/result.h"
#include "scanner/proto/appcheck.h"
#include "scanner/proto/starttls.h"
#include "scanner/targets/packed.h"
#include "tlsparse/tlsparse.h"

#define NONE UINT32_MAX

/* The ops a completion can name (user_data's low byte, slots.h). */
enum op {
  OP_SOCKET = 1,
  OP_CONNECT,
  OP_CONNECT_TIMEOUT,
  OP_SEND,
  OP_RECV,
  OP_RECV_TIMEOUT,
  OP_CLOSE,
  OP_CANCEL,
  OP_ARES_POLL,
  OP_ARES_POLL_REMOVE,
  OP_BIND,
  OP_LINGER,
};

/* Addresses of one name probed with --all-addresses, beyond the first. */
#define MAX_MORE_ADDRS 7

/* ---- connections --------------------------------------------------------- */

enum conn_state {
  CONN_FREE,
  CONN_CONNECTING,
  CONN_DIALOGUE,                /* the plaintext STARTTLS dialogue */
  CONN_TLS,                     /* the kind's part: hello and answer, or a handshake */
  CONN_APP,                     /* confirmation: the application's first exchange */
  CONN_CLOSING,
};

/* How a connection ended without an answer of its own: the arguments of
 * conn_fail, passed on to the kind. */
struct conn_failure {
  enum probe_outcome outcome;   /* OUTCOME_TIMEOUT, OUTCOME_REJECTED or OUTCOME_ERROR */
  enum reject_reason reason;    /* REJECT_CLOSED, REJECT_RESET, REJECT_STARTTLS or none */
  enum probe_stage stage;
  int error;                    /* errno for OUTCOME_ERROR */
  const struct starttls *dialogue; /* set while the dialogue was running */
};

struct engine;

/* conn_kind: what one kind of connection does at each point of the life
 * conn.c runs. Every kind is a const instance of this table. */
struct conn_kind {
  const char *name;
  /* Steps of --timeout the whole connection may last. */
  unsigned deadline_steps;
  /* Whether the protocol's STARTTLS dialogue runs before ready. */
  int dialogue;
  /* ready: connected, and the dialogue (if any) said go; |early| is what
   * the server sent after its go-ahead. */
  void (*ready)(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len);
  /* data: bytes the server sent once ready. */
  void (*data)(struct engine *e, uint32_t c, const uint8_t *p, size_t len);
  /* eof: the server closed the connection once ready. */
  void (*eof)(struct engine *e, uint32_t c);
  /* sent: everything queued has gone (NULL: nothing to do). */
  void (*sent)(struct engine *e, uint32_t c);
  /* fail: the connection ended without an answer. */
  void (*fail)(struct engine *e, uint32_t c, const struct conn_failure *f);
  /* release: the slot is being freed: give back what the kind took. */
  void (*release)(struct engine *e, uint32_t c);
  /* handshake_done: a full handshake completed (handshake kinds only). */
  void (*handshake_done)(struct engine *e, uint32_t c);
};

/* A probe sends one pinned hello and reads the verdict; a fallback probe is
 * a probe whose hello carries TLS_FALLBACK_SCSV, and its hello shape says
 * where its verdict goes. */
extern const struct conn_kind kProbeKind;
extern const struct conn_kind kFloorKind;    /* --connect-only: connect and close */
extern const struct conn_kind kConfirmKind;  /* a full handshake and the app check */
extern const struct conn_kind kBenchKind;    /* tlssweep bench: a full handshake */
extern const struct conn_kind kCipherKind;   /* --ciphers: one offer of an enumeration */

/* Which hello a probe sends. */
enum hello_shape {
  HELLO_FULL,
  HELLO_MINIMAL,                /* the shape retry's short hello */
  HELLO_FALLBACK,               /* the full hello with TLS_FALLBACK_SCSV */
  HELLO_SHAPES,
};

/* Flags of a connection. */
enum {
  CONN_RECV_INFLIGHT = 1u << 0, /* a RECV is submitted and not completed */
  CONN_SEND_INFLIGHT = 1u << 1, /* a SEND is submitted and not completed */
  CONN_DONE = 1u << 2,          /* its outcome is recorded: only closing is left */
  CONN_FLUSH_CLOSE = 1u << 3,   /* close once the last send has gone (bench) */
  CONN_RECV_WAITING = 1u << 4,  /* in recv_wait: a RECV is due once buffers are free */
};

/* One connection slot. The header is small; what only some connections
 * need is in the side pools and named here by index (NONE: not held). */
struct conn {
  const struct conn_kind *kind;
  uint8_t state;                /* enum conn_state */
  uint8_t pv;                   /* enum probe_version */
  uint8_t hello;                /* enum hello_shape (probes) */
  uint8_t flags;
  uint16_t pending;             /* completions still expected */
  int16_t socket_error;         /* errno from the SOCKET or BIND completion */
  uint32_t target;              /* index into targets[] */
  uint32_t dialogue;            /* index into dialogues[] */
  uint32_t reader;              /* index into readers[] */
  uint32_t sendbuf;             /* index into sendbufs[] */
  uint32_t tls;                 /* index into tls[] */
  uint32_t offered_exts;        /* the hello's extensions, for the verdict */
  uint64_t start_ns;
  uint64_t deadline_ns;         /* the connection ends by then, whatever it is doing */
  /* What is being sent. One send at a time; a next one waits in |tx_next|
   * until the previous has fully gone, so two sends never interleave. */
  const uint8_t *tx;
  const uint8_t *tx_next;
  uint32_t tx_len, sent, tx_next_len;
  uint8_t key_share;            /* a TLS 1.3 probe sends a real key share */
  uint32_t wait_next;           /* the next in the queue it waits in (conn_queue) */
  struct __kernel_timespec ts;  /* the linked timeout's; must outlive the SQE */
};

/* Connections waiting for something the engine hands out after each batch
 * of completions, in the order they came (linked through wait_next). A
 * waiting connection has nothing in flight. */
struct conn_queue {
  uint32_t head, tail;
};

/* A STARTTLS dialogue in progress, and the commands on their way. */
struct dialogue_side {
  struct starttls st;
  /* Commands are copied here to be sent, alternating, so that a command
   * waiting behind one in flight never shares its buffer. */
  uint8_t txbuf[2][STARTTLS_OUT_MAX];
  unsigned turn;
};

/* A BoringSSL client over memory BIOs whose bytes the ring moves. The SSL
 * object stays with the side slot and is reused (SSL_clear) by the next
 * handshake that takes it. */
struct tls_side {
  SSL *ssl;
  BIO *rbio, *wbio;             /* owned by |ssl| */
  struct appcheck app;
  uint8_t sslbuf[4096];         /* BoringSSL's output on its way to the socket */
};

/* A hello on its way to the socket. A connection holds one from the
 * hello's building until it has gone; there are at most SENDBUFS_MAX, and a
 * connection that finds none free waits for the next to come back (conn.c): a
 * batch of ten thousand connects completing at once would otherwise hold
 * 20 MiB of them for a moment. SENDBUFS_RESERVE of them are kept for probes
 * that already hold the server's first bytes, which cannot wait. */
#define SENDBUFS_MAX 1024
#define SENDBUFS_RESERVE 16
struct sendbuf {
  uint8_t bytes[TP_CLIENT_HELLO_MAX];
};

/* ---- targets ------------------------------------------------------------- */

/* The small facts of one version's answer: what a verdict needs while the
 * target is in flight. The bulky ones (first bytes, a dialogue's reply, a
 * confirmation's details) go to the target's extras. */
struct verdict {
  uint8_t outcome;              /* enum probe_outcome */
  uint8_t reason;               /* enum reject_reason */
  uint8_t stage;                /* enum probe_stage */
  uint8_t alert, alert_level;
  uint8_t malformed;            /* enum tp_malformed */
  uint8_t downgrade;            /* enum tp_downgrade */
  uint8_t warnings, last_warning;
  uint8_t attempts;
  uint8_t hello_retry;
  uint8_t hello_minimal;
  uint8_t hello_key_share;      /* the answer is to a TLS 1.3 hello with a real key share */
  uint8_t has_ja3s;             /* an acceptance: |ja3s| holds its JA3S */
  uint16_t server_version, cipher_suite, key_share_group;
  int32_t error;
  uint32_t unsolicited_exts;
  uint32_t ms;
  /* A failure's names, or an acceptance's JA3S (the MD5 of its ServerHello's
   * JA3S text): never both, so they share the bytes. */
  union {
    struct {
      const char *stage_name;   /* static */
      const char *reason_name;  /* static */
    };
    uint8_t ja3s[16];
  };
};

/* A target's line (targets/packed.h): its strings inline when they fit,
 * else in its extras; and which of them is the SNI its hellos carry. */
#define ITEM_INLINE 176

struct held_item {
  struct packed_item p;
  uint8_t in_extras;            /* the strings are in the extras */
  uint8_t sni;                  /* PACKED_SNI or PACKED_HOST; PACKED_STRINGS: none */
  char strings[ITEM_INLINE];
};

/* Why a target has no versions to show, kept small and rendered at the end. */
struct target_error {
  const char *text;             /* static: "resolver unavailable", an ares message... */
  int errnum;                   /* with "connect": strerror(errnum) follows */
  uint8_t family;               /* with --ipv4-only/--ipv6-only: the literal's family */
};

/* One target in flight: compact, because there are concurrency x 1.5 of
 * them. What only some targets need is in their extras. */
struct target_state {
  struct engine *engine;        /* for c-ares callbacks, which carry one pointer */
  uint32_t next;                /* FIFO / free-list link */
  uint32_t extras;              /* index into extras[], or NONE */
  uint64_t start_ns;
  uint64_t pseq;                /* position in the scan's order */
  uint32_t versions_left;       /* versions still to probe */
  uint16_t active;              /* connections in flight */
  uint8_t used, queued, bound, connected_once;
  uint8_t fallback_planned, fallback_due, confirm_planned;
  uint8_t status;               /* enum target_status */
  uint8_t nmore, next_more;     /* --all-addresses: addresses left (in extras) */
  int8_t fallback_pv;
  uint8_t shape_tried;          /* mask: the minimal hello was tried */
  uint8_t minimal_next;         /* mask: the version's next probe sends it */
  uint8_t minimal_won;          /* mask: it was accepted; the full hello goes once more */
  uint8_t share_next;           /* mask: the next TLS 1.3 probe sends a real key share */
  uint8_t attempts[PV_COUNT];
  uint8_t full_swallowed[PV_COUNT]; /* full-shape hellos swallowed */
  uint8_t ciphers_planned;      /* --ciphers: plan_ciphers has run */
  uint8_t ciphers_due;          /* mask: versions whose next cipher connection may start */
  uint32_t confirm_left[PV_COUNT];  /* confirmation runs still to start */
  union {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
  } addr;
  uint8_t addrlen;
  uint32_t ciphers;             /* index into ciphers[] (--ciphers), or NONE */
  struct target_error error;
  struct verdict v[PV_COUNT];
  struct verdict fallback;
  struct held_item item;
};

/* What only some targets need, taken when first needed. */
struct target_extras {
  uint8_t first_len[PV_COUNT + 1]; /* PV_COUNT: the fallback probe */
  uint8_t first_bytes[PV_COUNT + 1][RESULT_FIRST_BYTES];
  uint16_t reply_len[PV_COUNT + 1];
  uint8_t reply[PV_COUNT + 1][RESULT_REPLY_MAX];
  struct confirm_result confirm[PV_COUNT];
  int has_cert;
  struct cert_info cert;
  union {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
  } more[MAX_MORE_ADDRS];
  char strings[PACKED_ITEM_MAX]; /* a line's strings too long to hold inline */
};

/* ---- the engine ---------------------------------------------------------- */

struct ares_fd {
  int fd;                       /* -1: unused */
  uint32_t gen;
  int want_read, want_write;
  int polling;
};

#define MAX_ARES_FDS 32

/* A pool of side slots: |n| elements of |size| bytes, taken lowest index
 * first (slots.h), so that the memory touched follows the peak in use. */
struct side_pool {
  struct slot_pool slots;
  uint8_t *base;
  size_t size;
};

struct engine {
  struct scan_shared *sh;
  const struct scan_config *cfg;
  struct io_uring ring;
  unsigned nconn;
  struct conn *conns;
  struct slot_pool slots;       /* which conns are busy, and their generations */
  struct side_pool dialogues;   /* struct dialogue_side */
  struct side_pool readers;     /* struct tp_reader */
  struct side_pool sendbufs;    /* struct sendbuf */
  struct side_pool tls;         /* struct tls_side */
  struct side_pool extras;      /* struct target_extras */
  struct side_pool ciphers;     /* a target's enumeration (enumerate.c), --ciphers only */
  struct cipher_lists *cipher_lists; /* what each version offers (enumerate.c) */
  /* Provided receive buffers (IORING_REGISTER_PBUF_RING). */
  struct io_uring_buf_ring *br;
  uint8_t *bufs;
  unsigned nbufs, bufs_returned;
  size_t br_len;
  /* Built once, patched per probe: by shape, without or with a TLS 1.3 key
   * share (the two differ only for TLS 1.3), and version. */
  struct tp_hello_template hello[HELLO_SHAPES][2][PV_COUNT];
  unsigned ntargets;
  struct target_state *targets;
  uint32_t free_targets;        /* free-list head (states used before) */
  uint32_t fresh_targets;       /* states from here on were never used */
  unsigned targets_used;
  uint32_t fifo_head, fifo_tail;
  struct conn_queue send_wait;  /* connections waiting for a send buffer */
  struct conn_queue recv_wait;  /* connections whose answer waits for a receive buffer */
  struct politeness *polite;    /* shared by all engines (engine.h) */
  int held_by_cap;              /* this round, a target waited for another's connection */
  int feed_done;
  unsigned resolving;
  ares_channel channel;
  int ares_ready;
  struct ares_fd ares_fds[MAX_ARES_FDS];
  struct __kernel_timespec wait_ts;
  uint64_t rng;                 /* splitmix64 state for hello randoms */
  struct key_share_pool shares; /* TLS 1.3 key shares: real X25519 public keys */
  SSL_CTX *ssl_ctx;             /* confirmations; NULL when they are off */
  SSL_SESSION *bench_session;   /* tlssweep bench --resume-sessions: the session to offer */
  int reset_close;              /* bench: SO_LINGER {1, 0} before each close (cleared if
                                   the kernel cannot set it through the ring) */
  unsigned next_source;         /* round robin over --source-ip */
  /* finish_target's scratch: a target's record is rebuilt here for the sink. */
  struct scan_result scratch;
  struct target_item scratch_item;
};

static inline void stat_add(uint64_t *counter, int64_t v) {
  atomic_fetch_add_explicit((_Atomic uint64_t *)counter, (uint64_t)v, memory_order_relaxed);
}

static inline struct conn *conn_at(struct engine *e, uint32_t c) { return &e->conns[c]; }
static inline struct target_state *target_of(struct engine *e, const struct conn *cn) {
  return &e->targets[cn->target];
}
static inline void *side_at(const struct side_pool *p, uint32_t i) {
  return p->base + (size_t)i * p->size;
}
static inline struct tls_side *tls_of(struct engine *e, const struct conn *cn) {
  return side_at(&e->tls, cn->tls);
}
static inline struct dialogue_side *dialogue_of(struct engine *e, const struct conn *cn) {
  return side_at(&e->dialogues, cn->dialogue);
}

/* ---- side pools (loop.c) ---- */
int side_pool_init(struct side_pool *p, uint32_t n, size_t size);
void side_pool_free(struct side_pool *p);
/* side_take returns a free element's index, or NONE when all are taken. */
uint32_t side_take(struct side_pool *p);
void side_give(struct side_pool *p, uint32_t *i);

/* ---- io.c: submissions ---- */
/* get_sqes returns |n| SQEs at once (all of a link are taken before any is
 * prepared), submitting to make room if the queue is full. */
int get_sqes(struct engine *e, struct io_uring_sqe **out, unsigned n);
void set_timeout(struct __kernel_timespec *ts, uint32_t ms);
void submit_connect(struct engine *e, uint32_t c);
void submit_recv(struct engine *e, uint32_t c);
/* send_bytes sends |len| bytes at |p| (which outlive the send), after any
 * send still in flight. */
void send_bytes(struct engine *e, uint32_t c, const uint8_t *p, size_t len);
void submit_send(struct engine *e, uint32_t c);
void close_conn(struct engine *e, uint32_t c);
/* Provided receive buffers: set up, the bytes of a completion's buffer, and
 * giving it back (all given back ones are published once per batch). */
int bufs_init(struct engine *e);
void bufs_free(struct engine *e);
const uint8_t *buf_bytes(const struct engine *e, unsigned bid);
void buf_give_back(struct engine *e, unsigned bid);
void bufs_publish(struct engine *e);

/* ---- conn.c: the life every connection shares ---- */
uint32_t conn_take(struct engine *e, uint32_t t, int pv, const struct conn_kind *kind);
void conn_on_connect(struct engine *e, uint32_t c, int res);
void conn_on_recv(struct engine *e, uint32_t c, int res, const uint8_t *data);
void conn_on_send(struct engine *e, uint32_t c, int res);
/* conn_fail ends a connection without an answer, once. */
void conn_fail(struct engine *e, uint32_t c, enum probe_outcome outcome,
               enum reject_reason reason, enum probe_stage stage, int err);
/* conn_settle runs after every completion of a slot (see conn.c). */
void conn_settle(struct engine *e, uint32_t c);
/* want_recv submits a receive unless one is waiting or the outcome is in. */
void want_recv(struct engine *e, uint32_t c);
/* sendbuf_take gives connection |c|, ready, a send buffer (cn->sendbuf).
 * Returns 1; or 0 when it must wait for one (its kind's ready runs again
 * when one is handed to it) or failed (none even in reserve for a connection
 * that holds the server's first bytes, |early_len| > 0). */
int sendbuf_take(struct engine *e, uint32_t c, size_t early_len);
/* sendbufs_hand_out gives the send buffers free now to the connections
 * waiting for one, in order, and runs their kind's ready. The loop calls it
 * after each batch of completions, never from inside one's handling. */
void sendbufs_hand_out(struct engine *e);

/* recvs_hand_out submits again, as receive buffers allow, the receives
 * that found none (conn_on_recv); the loop calls it after bufs_publish. */
void recvs_hand_out(struct engine *e);

/* ---- probe.c ---- */
int probe_templates_init(struct engine *e);
void start_probe(struct engine *e, uint32_t t, int pv, int fallback);
/* What the kinds that send one hello and read its answer (probes and
 * enumeration) share: hello_eof, the server closed before answering (a
 * rejection); hello_sent, the hello has gone, so its send buffer serves
 * the next connection. */
void hello_eof(struct engine *e, uint32_t c);
void hello_sent(struct engine *e, uint32_t c);
/* hello_read gives an answer's bytes to the connection's reader, taken at
 * the first byte: 1 once the answer is whole (|*out|, which the caller
 * judges and gives back), 0 while more is needed, -1 when no reader was
 * free (the connection has failed). */
int hello_read(struct engine *e, uint32_t c, const uint8_t *p, size_t len, struct tp_reader **out);
/* hello_go sends the hello built (|built|) in the connection's send buffer,
 * |len| bytes laid out as |layout| says, and reads the answer. Bytes the
 * server sent right after its STARTTLS go-ahead (|early|) begin its answer
 * and go to |feed| first, which returns 1 once they settled the verdict. */
void hello_go(struct engine *e, uint32_t c, int built, size_t len,
              const struct tp_client_hello_layout *layout,
              int (*feed)(struct engine *e, uint32_t c, const uint8_t *p, size_t len),
              const uint8_t *early, size_t early_len);
/* plan_fallback (--check-fallback) decides, once a target's probes are in,
 * whether the fallback probe is due. Returns 1 when it is. */
int plan_fallback(struct engine *e, struct target_state *ts);

/* fill_random writes |n| bytes that differ from probe to probe. */
void fill_random(uint8_t *p, size_t n, uint64_t *state);

/* ---- enumerate.c: --ciphers ---- */
int ciphers_init(struct engine *e);
void ciphers_free(struct engine *e);
/* plan_ciphers decides, once a target's probes are in, which versions to
 * enumerate (every accepted one). Returns 1 when a connection is due. */
int plan_ciphers(struct engine *e, struct target_state *ts);
int next_ciphers_version(const struct target_state *ts);
void start_ciphers(struct engine *e, uint32_t t, int pv);
/* ciphers_record fills the record's enumeration; ciphers_release gives the
 * target's state back (its record is written, or it moves on). */
void ciphers_record(struct engine *e, const struct target_state *ts, struct scan_result *r);
void ciphers_release(struct engine *e, struct target_state *ts);

/* ---- confirm.c ---- */
int confirm_init(struct engine *e);
void confirm_free(struct engine *e);
int plan_confirmations(struct engine *e, struct target_state *ts);
int confirm_pending(const struct target_state *ts);
int next_confirm_version(const struct target_state *ts);
void start_confirm(struct engine *e, uint32_t t, int pv);
/* confirm_record adds one run's outcome to the version's confirmation. */
void confirm_record(struct engine *e, uint32_t c, int handshake_ok,
                    enum confirm_failure failure, int app, const char *stage);
/* The handshake's common steps, shared with the bench kind. */
void tls_ready(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len);
void tls_data(struct engine *e, uint32_t c, const uint8_t *p, size_t len);
void tls_eof(struct engine *e, uint32_t c);
void tls_sent(struct engine *e, uint32_t c);
void tls_fail(struct engine *e, uint32_t c, const struct conn_failure *f);
void tls_release(struct engine *e, uint32_t c);
void drain_ssl(struct engine *e, uint32_t c);

/* ---- bench.c ---- */
void bench_handshake_done(struct engine *e, uint32_t c);
void bench_plan(struct engine *e, struct target_state *ts);

/* ---- targets.c ---- */
int targets_init(struct engine *e);
void take_targets(struct engine *e);
void drop_unstarted(struct engine *e);
void fifo_push(struct engine *e, uint32_t t);
uint32_t fifo_pop(struct engine *e);
void target_ready(struct engine *e, uint32_t t);
void finish_target(struct engine *e, uint32_t t);
/* target_extras returns the target's extras, taking them if it has none
 * (NULL only when none is free, which the pool's size rules out). */
struct target_extras *target_extras(struct engine *e, struct target_state *ts);
/* The target's strings, from its packed item or its extras. */
const char *target_host(const struct engine *e, const struct target_state *ts);
const char *target_sni(const struct engine *e, const struct target_state *ts);
void set_sockaddr(struct target_state *ts, int family, const void *addr, uint16_t port);

/* ---- schedule.c ---- */
/* start_connections gives free slots to queued targets, within the rate
 * limit and the politeness caps. Returns nanoseconds to wait for the rate
 * limiter (0 when it was not the limit). */
uint64_t start_connections(struct engine *e);

/* ---- politeness.c ---- */
void bind_target(struct engine *e, struct target_state *ts);
void unbind_target(struct engine *e, struct target_state *ts);
int admit(struct engine *e, const struct target_state *ts);
void release_place(struct engine *e, const struct target_state *ts);

/* ---- resolve.c ---- */
int resolve_init(struct engine *e);
void resolve_free(struct engine *e);
void resolve_start(struct engine *e, uint32_t t);
void resolve_poll_done(struct engine *e, uint64_t ud, int res);
/* resolve_wait_ns shortens |*wait_ns| to c-ares' next timeout. */
void resolve_wait(struct engine *e, uint64_t *wait_ns);
void resolve_timeouts(struct engine *e);

#endif /* SCANNER_ENGINE_INTERNAL_H */

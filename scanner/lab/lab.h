/* scanner/lab/lab.h: a built-in lab of TLS endpoints on loopback.
 *
 * `tlssweep lab` starts, inside the process, real TLS servers (BoringSSL)
 * with known version ranges on distinct 127.x addresses, plus endpoints that
 * misbehave in the ways the internet does (nobody listening, a plaintext
 * service, a server that never answers, one that resets), and mail servers
 * that speak TLS only after a STARTTLS dialogue (SMTP, IMAP, POP3), scans them and
 * checks every verdict against what each endpoint was configured to do. It
 * shows the tool working with no network, and is a self-test. */
#ifndef SCANNER_LAB_H
#define SCANNER_LAB_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/output/result.h"

enum lab_kind {
  LAB_TLS,        /* a BoringSSL server accepting [min, max] */
  LAB_SMTP,       /* the same, after an SMTP STARTTLS dialogue */
  LAB_IMAP,       /* ... after IMAP STARTTLS */
  LAB_POP3,       /* ... after POP3 STLS */
  LAB_POP3S_RETIRING, /* POP3 over implicit TLS that completes TLS 1.0/1.1
                         handshakes and then refuses them, as Exchange Online did */
  LAB_PLAINTEXT,  /* answers with an HTTP error page */
  LAB_SILENT,     /* accepts and never says a word */
  LAB_RESET,      /* accepts and resets at once */
  LAB_CLOSED,     /* a port nobody listens on */
};

struct lab_endpoint {
  const char *name;      /* used as the target's label */
  enum lab_kind kind;
  uint16_t min, max;     /* LAB_TLS: wire versions */
  char target[64];       /* "127.77.0.3:40123", "smtp://127.77.0.13:40125" */
};

struct lab;

/* lab_start binds every endpoint and starts the server thread. Returns the
 * lab, or NULL with a message in |err|. */
struct lab *lab_start(char *err, size_t errcap);
size_t lab_count(const struct lab *lab);
const struct lab_endpoint *lab_endpoint_at(const struct lab *lab, size_t i);
/* lab_find returns the endpoint a result's label names, or NULL. */
const struct lab_endpoint *lab_find(const struct lab *lab, const char *label);
/* lab_check compares a result with the endpoint's configuration. Returns 1
 * when it matches; otherwise 0 with the first difference in |why|. */
int lab_check(const struct lab_endpoint *ep, const struct scan_result *r, char *why,
              size_t whycap);
/* lab_stop stops the thread and closes every socket. */
void lab_stop(struct lab *lab);

#endif /* SCANNER_LAB_H */

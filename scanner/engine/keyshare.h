/* scanner/engine/keyshare.h: TLS 1.3 key shares that a correct client could send.
 *
 * A probe never completes a handshake, so its x25519 share needs no secret
 * behind it, but it must be a real public key: 32 random bytes are not one
 * (bit 255 of a u-coordinate is set half the time, and some stacks, wolfSSL
 * among them, then close the connection without an alert instead of masking
 * the bit as RFC 7748, 5 says). The pool holds public keys made by
 * BoringSSL's X25519 from fresh private keys, which are thrown away; a probe
 * picks one, so the shape of the value never depends on a coin toss, and
 * every retry sends the same kind of value. */
#ifndef SCANNER_KEYSHARE_H
#define SCANNER_KEYSHARE_H

#include <stdint.h>

#define KEY_SHARE_POOL 16

struct key_share_pool {
  uint8_t x25519[KEY_SHARE_POOL][32];
};

/* key_share_pool_init fills |p| with fresh X25519 public keys. */
void key_share_pool_init(struct key_share_pool *p);

/* key_share_pick returns one of the pool's public keys, chosen by |r|. */
const uint8_t *key_share_pick(const struct key_share_pool *p, uint64_t r);

#endif /* SCANNER_KEYSHARE_H */

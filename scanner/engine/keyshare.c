/* scanner/engine/keyshare.c: a pool of X25519 public keys for probes (keyshare.h). */
#include "scanner/engine/keyshare.h"

#include <openssl/curve25519.h>
#include <openssl/mem.h>

void key_share_pool_init(struct key_share_pool *p) {
  for (unsigned i = 0; i < KEY_SHARE_POOL; i++) {
    uint8_t priv[32];
    X25519_keypair(p->x25519[i], priv);
    OPENSSL_cleanse(priv, sizeof(priv));
  }
}

const uint8_t *key_share_pick(const struct key_share_pool *p, uint64_t r) {
  return p->x25519[r % KEY_SHARE_POOL];
}

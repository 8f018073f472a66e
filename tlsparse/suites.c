/* tlsparse/suites.c: the cipher suite table, and what each suite's name says.
 *
 * kSuites is the IANA TLS Cipher Suites registry by code (legacy, export,
 * PSK, GOST and the signalling values included, because a scan of old
 * servers meets exactly those), plus the few deployed suites the registry
 * only reserves (see suites.h). It is sorted by code and searched by
 * bisection; names_test checks the order. The classes of a suite are not
 * written in the table but read from its name by tp_suite_classify, with a
 * small table for each part of the name (key exchange, cipher, MAC), so that
 * a row cannot disagree with its name; suites_test checks the reading
 * against rows checked by hand. Everything here is const data. */
#include "tlsparse/suites.h"

#include <string.h>

#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct suite_row {
  uint16_t code;
  const char *name;
};

/* IANA TLS Cipher Suites registry, sorted by code; 0x0060-0x0066 and
 * 0xCC13-0xCC15 are the deployed ones it reserves (OpenSSL 0.9.8's names
 * and draft-agl-tls-chacha20poly1305's). */
static const struct suite_row kSuites[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL"},
    {0x0001, "TLS_RSA_WITH_NULL_MD5"},
    {0x0002, "TLS_RSA_WITH_NULL_SHA"},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"},
    {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA"},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA"},
    {0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA"},
    {0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA"},
    {0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"},
    {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"},
    {0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"},
    {0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA"},
    {0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0x001E, "TLS_KRB5_WITH_DES_CBC_SHA"},
    {0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA"},
    {0x0020, "TLS_KRB5_WITH_RC4_128_SHA"},
    {0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA"},
    {0x0022, "TLS_KRB5_WITH_DES_CBC_MD5"},
    {0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5"},
    {0x0024, "TLS_KRB5_WITH_RC4_128_MD5"},
    {0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5"},
    {0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA"},
    {0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA"},
    {0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA"},
    {0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5"},
    {0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5"},
    {0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5"},
    {0x002C, "TLS_PSK_WITH_NULL_SHA"},
    {0x002D, "TLS_DHE_PSK_WITH_NULL_SHA"},
    {0x002E, "TLS_RSA_PSK_WITH_NULL_SHA"},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA"},
    {0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA"},
    {0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
    {0x003B, "TLS_RSA_WITH_NULL_SHA256"},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256"},
    {0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256"},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5"},
    {0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5"},
    {0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA"},
    {0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA"},
    {0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA"},
    {0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA"},
    {0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256"},
    {0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256"},
    {0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"},
    {0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"},
    {0x008A, "TLS_PSK_WITH_RC4_128_SHA"},
    {0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA"},
    {0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA"},
    {0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA"},
    {0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA"},
    {0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA"},
    {0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA"},
    {0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA"},
    {0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA"},
    {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"},
    {0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA"},
    {0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA"},
    {0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA"},
    {0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA"},
    {0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA"},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256"},
    {0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"},
    {0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"},
    {0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00B0, "TLS_PSK_WITH_NULL_SHA256"},
    {0x00B1, "TLS_PSK_WITH_NULL_SHA384"},
    {0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256"},
    {0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384"},
    {0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256"},
    {0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384"},
    {0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00C6, "TLS_SM4_GCM_SM3"},
    {0x00C7, "TLS_SM4_CCM_SM3"},
    {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA"},
    {0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"},
    {0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"},
    {0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA"},
    {0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA"},
    {0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"},
    {0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"},
    {0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xC015, "TLS_ECDH_anon_WITH_NULL_SHA"},
    {0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA"},
    {0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"},
    {0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"},
    {0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA"},
    {0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA"},
    {0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA"},
    {0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA"},
    {0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA"},
    {0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA"},
    {0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384"},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384"},
    {0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA"},
    {0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"},
    {0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"},
    {0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256"},
    {0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384"},
    {0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA"},
    {0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256"},
    {0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384"},
    {0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256"},
    {0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384"},
    {0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256"},
    {0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384"},
    {0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256"},
    {0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384"},
    {0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256"},
    {0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384"},
    {0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256"},
    {0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384"},
    {0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256"},
    {0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384"},
    {0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256"},
    {0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384"},
    {0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256"},
    {0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384"},
    {0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256"},
    {0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384"},
    {0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256"},
    {0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384"},
    {0xC066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256"},
    {0xC067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384"},
    {0xC068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256"},
    {0xC069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384"},
    {0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xC070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256"},
    {0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384"},
    {0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC08E, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC08F, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256"},
    {0xC093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384"},
    {0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC09C, "TLS_RSA_WITH_AES_128_CCM"},
    {0xC09D, "TLS_RSA_WITH_AES_256_CCM"},
    {0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM"},
    {0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM"},
    {0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8"},
    {0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8"},
    {0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"},
    {0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"},
    {0xC0A4, "TLS_PSK_WITH_AES_128_CCM"},
    {0xC0A5, "TLS_PSK_WITH_AES_256_CCM"},
    {0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM"},
    {0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM"},
    {0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8"},
    {0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8"},
    {0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8"},
    {0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8"},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"},
    {0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"},
    {0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256"},
    {0xC0B1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384"},
    {0xC0B2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256"},
    {0xC0B3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384"},
    {0xC0B4, "TLS_SHA256_SHA256"},
    {0xC0B5, "TLS_SHA384_SHA384"},
    {0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC"},
    {0xC101, "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC"},
    {0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT"},
    {0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L"},
    {0xC104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L"},
    {0xC105, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S"},
    {0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S"},
    {0xCC13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD"},
    {0xCC14, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD"},
    {0xCC15, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD"},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384"},
    {0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256"},
    {0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"},
};

static int deployed_only(uint16_t code) {
  return (code >= 0x0060 && code <= 0x0066) || (code >= 0xCC13 && code <= 0xCC15);
}

static const struct suite_row *find(uint16_t code) {
  size_t lo = 0, hi = COUNT(kSuites);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (kSuites[mid].code == code) {
      return &kSuites[mid];
    }
    if (kSuites[mid].code < code) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return NULL;
}

const char *tp_cipher_name(uint16_t suite) {
  const struct suite_row *row = find(suite);
  return row != NULL ? row->name : NULL;
}

size_t tp_cipher_table_size(void) { return COUNT(kSuites); }
uint16_t tp_cipher_table_code(size_t i) { return kSuites[i].code; }
size_t tp_suite_count(void) { return COUNT(kSuites); }
uint16_t tp_suite_code_at(size_t i) { return kSuites[i].code; }

/* ---- reading a name ---------------------------------------------------------- */

/* The part before _WITH_ (RFC 5246, A.5 and the RFCs that added suites):
 * key exchange and authentication, and whether the suite is export grade. */
struct kx_part {
  const char *token;
  enum tp_kx kx;
  enum tp_auth auth;
  int export_grade;
};

static const struct kx_part kKx[] = {
    {"NULL", TP_KX_NULL, TP_AUTH_NULL, 0},
    {"RSA", TP_KX_RSA, TP_AUTH_RSA, 0},
    {"RSA_EXPORT", TP_KX_RSA, TP_AUTH_RSA, 1},
    {"RSA_EXPORT1024", TP_KX_RSA, TP_AUTH_RSA, 1},
    {"DH_DSS", TP_KX_DH, TP_AUTH_DSS, 0},
    {"DH_DSS_EXPORT", TP_KX_DH, TP_AUTH_DSS, 1},
    {"DH_RSA", TP_KX_DH, TP_AUTH_RSA, 0},
    {"DH_RSA_EXPORT", TP_KX_DH, TP_AUTH_RSA, 1},
    {"DHE_DSS", TP_KX_DHE, TP_AUTH_DSS, 0},
    {"DHE_DSS_EXPORT", TP_KX_DHE, TP_AUTH_DSS, 1},
    {"DHE_DSS_EXPORT1024", TP_KX_DHE, TP_AUTH_DSS, 1},
    {"DHE_RSA", TP_KX_DHE, TP_AUTH_RSA, 0},
    {"DHE_RSA_EXPORT", TP_KX_DHE, TP_AUTH_RSA, 1},
    /* Anonymous Diffie-Hellman is ephemeral: the server sends its share in
     * a ServerKeyExchange that nothing signs (RFC 5246, 7.4.3; RFC 8422, 2.5). */
    {"DH_anon", TP_KX_DHE, TP_AUTH_ANON, 0},
    {"DH_anon_EXPORT", TP_KX_DHE, TP_AUTH_ANON, 1},
    {"ECDH_anon", TP_KX_ECDHE, TP_AUTH_ANON, 0},
    {"KRB5", TP_KX_KRB5, TP_AUTH_KRB5, 0},
    {"KRB5_EXPORT", TP_KX_KRB5, TP_AUTH_KRB5, 1},
    {"PSK", TP_KX_PSK, TP_AUTH_PSK, 0},
    {"DHE_PSK", TP_KX_DHE_PSK, TP_AUTH_PSK, 0},
    {"PSK_DHE", TP_KX_DHE_PSK, TP_AUTH_PSK, 0}, /* RFC 6655's spelling of 0xC0AA-0xC0AB */
    {"RSA_PSK", TP_KX_RSA_PSK, TP_AUTH_RSA, 0},
    {"ECDHE_PSK", TP_KX_ECDHE_PSK, TP_AUTH_PSK, 0},
    {"ECDH_ECDSA", TP_KX_ECDH, TP_AUTH_ECDSA, 0},
    {"ECDHE_ECDSA", TP_KX_ECDHE, TP_AUTH_ECDSA, 0},
    {"ECDH_RSA", TP_KX_ECDH, TP_AUTH_RSA, 0},
    {"ECDHE_RSA", TP_KX_ECDHE, TP_AUTH_RSA, 0},
    {"SRP_SHA", TP_KX_SRP, TP_AUTH_SRP, 0},
    {"SRP_SHA_RSA", TP_KX_SRP, TP_AUTH_RSA, 0},
    {"SRP_SHA_DSS", TP_KX_SRP, TP_AUTH_DSS, 0},
    {"ECCPWD", TP_KX_ECCPWD, TP_AUTH_PWD, 0},
    {"GOSTR341112_256", TP_KX_GOST, TP_AUTH_GOST, 0},
};

/* The cipher and its mode, as the name spells them after _WITH_ (or after
 * TLS_ for 1.3). |tls13_form| marks the integrity-only 1.3 suites of RFC
 * 9150, whose "cipher" is a hash. */
struct cipher_part {
  const char *token;
  enum tp_enc enc;
  uint16_t bits;
  enum tp_mode mode;
  int tls13_form;
};

static const struct cipher_part kCiphers[] = {
    {"NULL", TP_ENC_NULL, 0, TP_MODE_NONE, 0},
    {"RC4_40", TP_ENC_RC4, 40, TP_MODE_STREAM, 0},
    {"RC4_56", TP_ENC_RC4, 56, TP_MODE_STREAM, 0},
    {"RC4_128", TP_ENC_RC4, 128, TP_MODE_STREAM, 0},
    {"RC2_CBC_40", TP_ENC_RC2, 40, TP_MODE_CBC, 0},
    {"RC2_CBC_56", TP_ENC_RC2, 56, TP_MODE_CBC, 0},
    {"DES40_CBC", TP_ENC_DES, 40, TP_MODE_CBC, 0},
    {"DES_CBC_40", TP_ENC_DES, 40, TP_MODE_CBC, 0},
    {"DES_CBC", TP_ENC_DES, 56, TP_MODE_CBC, 0},
    {"3DES_EDE_CBC", TP_ENC_3DES, 168, TP_MODE_CBC, 0},
    {"IDEA_CBC", TP_ENC_IDEA, 128, TP_MODE_CBC, 0},
    {"SEED_CBC", TP_ENC_SEED, 128, TP_MODE_CBC, 0},
    {"AES_128_CBC", TP_ENC_AES, 128, TP_MODE_CBC, 0},
    {"AES_256_CBC", TP_ENC_AES, 256, TP_MODE_CBC, 0},
    {"AES_128_GCM", TP_ENC_AES, 128, TP_MODE_GCM, 0},
    {"AES_256_GCM", TP_ENC_AES, 256, TP_MODE_GCM, 0},
    {"AES_128_CCM", TP_ENC_AES, 128, TP_MODE_CCM, 0},
    {"AES_256_CCM", TP_ENC_AES, 256, TP_MODE_CCM, 0},
    {"AES_128_CCM_8", TP_ENC_AES, 128, TP_MODE_CCM_8, 0},
    {"AES_256_CCM_8", TP_ENC_AES, 256, TP_MODE_CCM_8, 0},
    {"CAMELLIA_128_CBC", TP_ENC_CAMELLIA, 128, TP_MODE_CBC, 0},
    {"CAMELLIA_256_CBC", TP_ENC_CAMELLIA, 256, TP_MODE_CBC, 0},
    {"CAMELLIA_128_GCM", TP_ENC_CAMELLIA, 128, TP_MODE_GCM, 0},
    {"CAMELLIA_256_GCM", TP_ENC_CAMELLIA, 256, TP_MODE_GCM, 0},
    {"ARIA_128_CBC", TP_ENC_ARIA, 128, TP_MODE_CBC, 0},
    {"ARIA_256_CBC", TP_ENC_ARIA, 256, TP_MODE_CBC, 0},
    {"ARIA_128_GCM", TP_ENC_ARIA, 128, TP_MODE_GCM, 0},
    {"ARIA_256_GCM", TP_ENC_ARIA, 256, TP_MODE_GCM, 0},
    {"CHACHA20_POLY1305", TP_ENC_CHACHA20, 256, TP_MODE_POLY1305, 0},
    {"SM4_GCM", TP_ENC_SM4, 128, TP_MODE_GCM, 0},
    {"SM4_CCM", TP_ENC_SM4, 128, TP_MODE_CCM, 0},
    {"KUZNYECHIK_CTR_OMAC", TP_ENC_KUZNYECHIK, 256, TP_MODE_CTR_OMAC, 0},
    {"MAGMA_CTR_OMAC", TP_ENC_MAGMA, 256, TP_MODE_CTR_OMAC, 0},
    {"28147_CNT_IMIT", TP_ENC_GOST28147, 256, TP_MODE_CNT_IMIT, 0},
    {"KUZNYECHIK_MGM_L", TP_ENC_KUZNYECHIK, 256, TP_MODE_MGM, 0},
    {"KUZNYECHIK_MGM_S", TP_ENC_KUZNYECHIK, 256, TP_MODE_MGM, 0},
    {"MAGMA_MGM_L", TP_ENC_MAGMA, 256, TP_MODE_MGM, 0},
    {"MAGMA_MGM_S", TP_ENC_MAGMA, 256, TP_MODE_MGM, 0},
    {"SHA256", TP_ENC_NULL, 0, TP_MODE_NONE, 1},
    {"SHA384", TP_ENC_NULL, 0, TP_MODE_NONE, 1},
};

/* The last part: the HMAC's hash, or for an AEAD the PRF's hash (or
 * nothing, as in RFC 6655's CCM suites). */
struct mac_part {
  const char *token;
  enum tp_mac mac;
};

static const struct mac_part kMacs[] = {
    {"NULL", TP_MAC_NULL},     {"MD5", TP_MAC_MD5},       {"SHA", TP_MAC_SHA1},
    {"SHA256", TP_MAC_SHA256}, {"SHA384", TP_MAC_SHA384},
    {"SM3", TP_MAC_AEAD}, /* only after SM4's AEADs (RFC 8998) */
};

/* token_is says whether |s| (|len| bytes) is exactly |token|. */
static int token_is(const char *s, size_t len, const char *token) {
  return strlen(token) == len && memcmp(s, token, len) == 0;
}

static int is_aead(enum tp_mode m) {
  return m == TP_MODE_GCM || m == TP_MODE_CCM || m == TP_MODE_CCM_8 || m == TP_MODE_POLY1305 ||
         m == TP_MODE_MGM;
}

/* read_cipher finds the longest cipher token that |s| (|len| bytes) starts
 * with, ending at the end or at an underscore. */
static const struct cipher_part *read_cipher(const char *s, size_t len, size_t *out_used) {
  const struct cipher_part *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; i < COUNT(kCiphers); i++) {
    size_t n = strlen(kCiphers[i].token);
    if (n <= len && n > best_len && memcmp(s, kCiphers[i].token, n) == 0 &&
        (n == len || s[n] == '_')) {
      best = &kCiphers[i];
      best_len = n;
    }
  }
  *out_used = best_len;
  return best;
}

static uint32_t flags_of(const struct tp_suite_info *s, int export_grade) {
  uint32_t f = 0;
  if (s->enc == TP_ENC_NULL) {
    f |= 1u << TP_SUITE_NULL;
  }
  if (s->auth == TP_AUTH_ANON || s->auth == TP_AUTH_NULL) {
    f |= 1u << TP_SUITE_ANON;
  }
  if (export_grade) {
    f |= 1u << TP_SUITE_EXPORT;
  }
  switch (s->enc) {
    case TP_ENC_RC4:
      f |= 1u << TP_SUITE_RC4;
      break;
    case TP_ENC_DES:
      f |= 1u << TP_SUITE_DES | 1u << TP_SUITE_BLOCK64;
      break;
    case TP_ENC_3DES:
      f |= 1u << TP_SUITE_3DES | 1u << TP_SUITE_BLOCK64;
      break;
    case TP_ENC_IDEA:
    case TP_ENC_RC2:
    case TP_ENC_MAGMA:
    case TP_ENC_GOST28147:
      f |= 1u << TP_SUITE_BLOCK64;
      break;
    default:
      break;
  }
  if (s->mode == TP_MODE_CBC) {
    f |= 1u << TP_SUITE_CBC;
  }
  /* Forward secrecy needs an ephemeral key exchange; static RSA, static
   * (EC)DH, plain PSK, RSA-PSK, Kerberos and GOST key transport have none
   * (an export RSA key is temporary, but servers reused it for hours). */
  switch (s->kx) {
    case TP_KX_NULL:
    case TP_KX_RSA:
    case TP_KX_DH:
    case TP_KX_ECDH:
    case TP_KX_PSK:
    case TP_KX_RSA_PSK:
    case TP_KX_KRB5:
    case TP_KX_GOST:
      f |= 1u << TP_SUITE_NO_PFS;
      break;
    default:
      break;
  }
  if (s->mac == TP_MAC_SHA1) {
    f |= 1u << TP_SUITE_SHA1_MAC;
  }
  if (s->mac == TP_MAC_MD5) {
    f |= 1u << TP_SUITE_MD5_MAC;
  }
  return f;
}

int tp_suite_classify(const char *name, struct tp_suite_info *out) {
  memset(out, 0, sizeof(*out));
  out->name = name;
  if (name == NULL || strncmp(name, "TLS_", 4) != 0) {
    return 0;
  }
  const char *p = name + 4;
  size_t len = strlen(p);
  /* The pre-RFC ChaCha20 suites differ from the RFC's only in their code. */
  if (len > 4 && memcmp(p + len - 4, "_OLD", 4) == 0) {
    len -= 4;
  }
  const char *with = NULL;
  for (size_t i = 0; i + 6 <= len; i++) {
    if (memcmp(p + i, "_WITH_", 6) == 0) {
      with = p + i;
      break;
    }
  }
  int export_grade = 0;
  int tls13_form = with == NULL;
  const char *c = p;
  if (tls13_form) {
    /* TLS 1.3: the suite names only the AEAD and the hash (RFC 8446, B.4). */
    out->kx = TP_KX_ANY;
    out->auth = TP_AUTH_ANY;
  } else {
    size_t kx_len = (size_t)(with - p);
    const struct kx_part *kx = NULL;
    for (size_t i = 0; i < COUNT(kKx) && kx == NULL; i++) {
      if (token_is(p, kx_len, kKx[i].token)) {
        kx = &kKx[i];
      }
    }
    if (kx == NULL) {
      return 0;
    }
    out->kx = kx->kx;
    out->auth = kx->auth;
    export_grade = kx->export_grade;
    c = with + 6;
  }
  size_t rest = len - (size_t)(c - p), used;
  const struct cipher_part *cp = read_cipher(c, rest, &used);
  if (cp == NULL || (cp->tls13_form && !tls13_form)) {
    return 0;
  }
  out->enc = cp->enc;
  out->enc_bits = cp->bits;
  out->mode = cp->mode;
  const char *m = c + used;
  size_t m_len = rest - used;
  if (m_len > 0) {
    m++; /* the underscore */
    m_len--;
  }
  int aead = is_aead(cp->mode);
  if (m_len == 0) {
    /* No MAC token: an AEAD whose PRF is SHA-256 (RFC 6655), or a GOST
     * cipher whose MAC is in its name (RFC 9189). */
    if (aead) {
      out->mac = TP_MAC_AEAD;
    } else if (cp->mode == TP_MODE_CTR_OMAC || cp->mode == TP_MODE_CNT_IMIT) {
      out->mac = TP_MAC_GOST;
    } else {
      return 0;
    }
  } else {
    const struct mac_part *mp = NULL;
    for (size_t i = 0; i < COUNT(kMacs) && mp == NULL; i++) {
      if (token_is(m, m_len, kMacs[i].token)) {
        mp = &kMacs[i];
      }
    }
    if (mp == NULL) {
      return 0;
    }
    /* An AEAD's trailing hash is its PRF's, not a MAC. */
    out->mac = aead ? TP_MAC_AEAD : mp->mac;
  }
  if (out->kx == TP_KX_NULL) {
    out->versions = 0; /* TLS_NULL_WITH_NULL_NULL: the state before a handshake */
  } else if (tls13_form || cp->mode == TP_MODE_MGM) {
    /* A 1.3 suite says nothing of the key exchange, always (EC)DHE, nor of
     * the authentication; RFC 9367's GOST suites name them all the same. */
    out->versions = TP_SUITE_VERSION_BIT(TP_TLS13);
    out->kx = TP_KX_ANY;
    out->auth = TP_AUTH_ANY;
  } else if (aead || out->mac == TP_MAC_SHA256 || out->mac == TP_MAC_SHA384 ||
             out->mac == TP_MAC_GOST) {
    out->versions = TP_SUITE_VERSION_BIT(TP_TLS12);
  } else {
    out->versions = TP_SUITE_VERSION_BIT(TP_SSL3) | TP_SUITE_VERSION_BIT(TP_TLS10) |
                    TP_SUITE_VERSION_BIT(TP_TLS11) | TP_SUITE_VERSION_BIT(TP_TLS12);
  }
  out->flags = flags_of(out, export_grade);
  return 1;
}

int tp_suite_info(uint16_t code, struct tp_suite_info *out) {
  const struct suite_row *row = find(code);
  if (row == NULL || !tp_suite_classify(row->name, out)) {
    return 0;
  }
  out->code = code;
  out->iana = !deployed_only(code);
  return 1;
}

size_t tp_suites_for_version(uint16_t version, uint16_t *out, size_t cap) {
  if (version < TP_SSL3 || version > TP_TLS13) {
    return 0;
  }
  size_t n = 0;
  for (size_t i = 0; i < COUNT(kSuites); i++) {
    struct tp_suite_info s;
    if (tp_suite_info(kSuites[i].code, &s) && (s.versions & TP_SUITE_VERSION_BIT(version))) {
      if (n < cap) {
        out[n] = s.code;
      }
      n++;
    }
  }
  return n;
}

/* ---- names --------------------------------------------------------------------- */

static const char *const kFlagNames[TP_SUITE_FLAG_COUNT] = {
    [TP_SUITE_NULL] = "null",         [TP_SUITE_ANON] = "anon",
    [TP_SUITE_EXPORT] = "export",     [TP_SUITE_RC4] = "rc4",
    [TP_SUITE_DES] = "des",           [TP_SUITE_3DES] = "3des",
    [TP_SUITE_BLOCK64] = "block64",   [TP_SUITE_CBC] = "cbc",
    [TP_SUITE_NO_PFS] = "no_pfs",     [TP_SUITE_SHA1_MAC] = "sha1_mac",
    [TP_SUITE_MD5_MAC] = "md5_mac",
};

const char *tp_suite_flag_name(enum tp_suite_flag f) {
  return (unsigned)f < TP_SUITE_FLAG_COUNT ? kFlagNames[f] : NULL;
}

int tp_suite_flag_from_name(const char *name, enum tp_suite_flag *out) {
  for (unsigned f = 0; f < TP_SUITE_FLAG_COUNT; f++) {
    if (strcmp(name, kFlagNames[f]) == 0) {
      *out = (enum tp_suite_flag)f;
      return 1;
    }
  }
  return 0;
}

const char *tp_kx_name(enum tp_kx kx) {
  static const char *const kNames[TP_KX_COUNT] = {
      "NULL", "RSA", "DH", "DHE", "ECDH", "ECDHE", "PSK", "DHE_PSK",
      "RSA_PSK", "ECDHE_PSK", "SRP", "KRB5", "ECCPWD", "GOST", "any",
  };
  return (unsigned)kx < TP_KX_COUNT ? kNames[kx] : NULL;
}

const char *tp_auth_name(enum tp_auth auth) {
  static const char *const kNames[TP_AUTH_COUNT] = {
      "NULL", "RSA", "DSS", "ECDSA", "anon", "PSK", "SRP", "KRB5", "PWD", "GOST", "any",
  };
  return (unsigned)auth < TP_AUTH_COUNT ? kNames[auth] : NULL;
}

const char *tp_enc_name(enum tp_enc enc) {
  static const char *const kNames[TP_ENC_COUNT] = {
      "NULL", "RC4",      "RC2",      "DES", "3DES",       "IDEA",  "SEED",     "AES",
      "CAMELLIA", "ARIA", "CHACHA20", "SM4", "KUZNYECHIK", "MAGMA", "GOST28147",
  };
  return (unsigned)enc < TP_ENC_COUNT ? kNames[enc] : NULL;
}

const char *tp_mode_name(enum tp_mode mode) {
  static const char *const kNames[TP_MODE_COUNT] = {
      "none", "stream", "CBC", "GCM", "CCM", "CCM_8", "POLY1305", "CTR_OMAC", "CNT_IMIT", "MGM",
  };
  return (unsigned)mode < TP_MODE_COUNT ? kNames[mode] : NULL;
}

const char *tp_mac_name(enum tp_mac mac) {
  static const char *const kNames[TP_MAC_COUNT] = {
      "NULL", "MD5", "SHA1", "SHA256", "SHA384", "GOST", "AEAD",
  };
  return (unsigned)mac < TP_MAC_COUNT ? kNames[mac] : NULL;
}

/* tests/scanner/discover_driver.c: runs discovery from the command line for
 * the integration test, until `tlssweep tenants` exists.
 *
 *   discover_driver [--resolver ADDR:PORT] [--timeout-ms N] [--tries N]
 *                   [--targets FILE] [-i FILE] [domain[,label]...]
 *
 * Writes the dry run's target lines to FILE (--targets) and JSON Lines to
 * standard output: one {"tenant": ...} record per tenant with its status
 * and endpoints, one {"endpoint": ...} record per endpoint with its tenants,
 * and a last {"summary": ...} record. Exits 0 when discovery ran, 1 when it
 * failed, 2 on bad arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/targets/discover.h"

static void json_string(const char *s) {
  putchar('"');
  for (; *s != '\0'; s++) {
    if (*s == '"' || *s == '\\') {
      putchar('\\');
    }
    putchar(*s);
  }
  putchar('"');
}

static void endpoint_url(const struct discovery_endpoint *e) {
  printf("\"%s://%s:%u\"", proto_get(e->proto)->scheme, e->host, (unsigned)e->port);
}

static void json_sources(unsigned sources) {
  char text[32];
  discovery_sources_text(sources, text, sizeof(text));
  printf("[");
  for (char *p = text, *tok; (tok = strtok(p, ",")) != NULL; p = NULL) {
    printf("%s\"%s\"", p == NULL ? "," : "", tok);
  }
  printf("]");
}

static void print_bad_line(void *ctx, unsigned long line_no, const char *err) {
  (void)ctx;
  printf("{\"error\":");
  json_string(err);
  printf(",\"line\":%lu}\n", line_no);
}

int main(int argc, char **argv) {
  const char *resolver = NULL, *targets = NULL, *input = NULL;
  unsigned timeout_ms = 1000, tries = 2;
  int first_domain = argc;
  for (int i = 1; i < argc; i++) {
    if (i + 1 < argc && strcmp(argv[i], "--resolver") == 0) {
      resolver = argv[++i];
    } else if (i + 1 < argc && strcmp(argv[i], "--timeout-ms") == 0) {
      timeout_ms = (unsigned)strtoul(argv[++i], NULL, 10);
    } else if (i + 1 < argc && strcmp(argv[i], "--tries") == 0) {
      tries = (unsigned)strtoul(argv[++i], NULL, 10);
    } else if (i + 1 < argc && strcmp(argv[i], "--targets") == 0) {
      targets = argv[++i];
    } else if (i + 1 < argc && strcmp(argv[i], "-i") == 0) {
      input = argv[++i];
    } else {
      first_domain = i;
      break;
    }
  }
  struct discovery d;
  if (!discovery_init(&d, resolver, timeout_ms, tries)) {
    fprintf(stderr, "discovery_init failed\n");
    return 2;
  }
  char err[256];
  for (int i = first_domain; i < argc; i++) {
    char domain[512];
    snprintf(domain, sizeof(domain), "%s", argv[i]);
    char *comma = strchr(domain, ',');
    if (comma != NULL) {
      *comma = '\0';
    }
    if (!discovery_add_tenant(&d, domain, comma != NULL ? comma + 1 : NULL, err, sizeof(err))) {
      printf("{\"error\":");
      json_string(err);
      printf(",\"arg\":%d}\n", i);
    }
  }
  if (input != NULL) {
    FILE *f = fopen(input, "r");
    if (f == NULL) {
      perror(input);
      discovery_free(&d);
      return 2;
    }
    discovery_add_tenant_file(&d, f, print_bad_line, NULL);
    fclose(f);
  }
  int ok = discovery_run(&d);
  for (size_t i = 0; i < discovery_tenant_count(&d); i++) {
    const struct discovery_tenant *t = discovery_tenant(&d, i);
    printf("{\"tenant\":");
    json_string(t->label);
    printf(",\"domain\":");
    json_string(t->domain);
    printf(",\"status\":\"%s\",\"detail\":", discovery_dns_status_name(t->status));
    json_string(t->detail);
    printf(",\"mx_hosts\":%u,\"failed_lookups\":%u,\"endpoints\":{", t->mx_hosts,
           t->failed_lookups);
    for (size_t k = 0; k < t->nlinks; k++) {
      printf("%s", k ? "," : "");
      endpoint_url(discovery_endpoint(&d, t->links[k].endpoint));
      printf(":");
      json_sources(t->links[k].sources);
    }
    printf("}}\n");
  }
  for (size_t i = 0; i < discovery_endpoint_count(&d); i++) {
    const struct discovery_endpoint *e = discovery_endpoint(&d, i);
    printf("{\"endpoint\":");
    endpoint_url(e);
    printf(",\"sources\":");
    json_sources(e->sources);
    printf(",\"tenants\":[");
    for (size_t k = 0; k < e->ntenants; k++) {
      printf("%s", k ? "," : "");
      json_string(discovery_tenant(&d, e->tenants[k])->label);
    }
    printf("]}\n");
  }
  printf("{\"summary\":%s,\"tenants\":%zu,\"endpoints\":%zu,\"peak_in_flight\":%u}\n",
         ok ? "true" : "false", discovery_tenant_count(&d), discovery_endpoint_count(&d),
         discovery_peak_in_flight(&d));
  if (targets != NULL) {
    FILE *f = fopen(targets, "w");
    if (f == NULL || !discovery_write_targets(&d, f) || fclose(f) != 0) {
      perror(targets);
      ok = 0;
    }
  }
  discovery_free(&d);
  return ok ? 0 : 1;
}
